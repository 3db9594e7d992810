"""Email: building and parsing request/reply messages, sending over SMTP, a durable receiving server."""
