"""The central system's HTTP API (``/api/v1``): what a DMS and the ministry's worker call.

``app.create_app`` makes the app (any ASGI server can run ``kkod.web.central.app:create_app``
as a factory; ``kkod central serve`` runs it on uvicorn). Routes live per resource in
``routes/``; the caller's key, its office and the database come from ``deps``.
"""
