"""Ports to outside services, each with an embedded default so that `make dev` needs no accounts."""

from __future__ import annotations

from flask import Flask

from app.config import Settings
from app.integrations import files
from app.integrations.email import OutboxEmail


def init_app(app: Flask, settings: Settings) -> None:
    # SendGrid arrives with the messaging issue; until then the outbox is the only adapter.
    app.extensions["plenum.email"] = OutboxEmail(log=not settings.is_production)
    # Supabase Storage takes the same tenant-prefixed keys; until then, a local folder.
    app.extensions["plenum.files"] = files.for_settings(settings)
