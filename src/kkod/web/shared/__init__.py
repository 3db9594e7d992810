"""What every kkod web app shares: problem documents, request limits, the access log, and the
pages' frame — security headers, sessions and CSRF, templates, static files, login (docs/web.md).
"""
