"""Request helpers every web app shares: its settings and the client's address."""

from __future__ import annotations

from fastapi import Request

from kkod.config import Settings


def app_settings(request: Request) -> Settings:
    """The settings the app was made with (``app.state.settings``)."""
    return request.app.state.settings


def client_address(request: Request) -> str:
    """The client's address as the server saw it (behind a proxy: as the server was told)."""
    return request.client.host if request.client else "-"
