"""Email: building and parsing request/reply messages, sending over SMTP, a durable receiving server.

Modules: ``subject`` (the subject convention, pure), ``message`` (build/parse), ``smtp`` (sending,
retries), ``spool`` (durable message folder), ``server`` (aiosmtpd intake and mailbox servers).
The server module imports aiosmtpd, so import it directly where needed.
"""
