"""Staff logins of the web pages: password (Argon2id) and TOTP, lockout, throttling, sessions.

Free of any web framework: :class:`kkod.logins.store.Logins` works on the tables each
party's database holds (:func:`kkod.logins.tables.login_tables`); the web layer only reads
forms and cookies and calls it.
"""
