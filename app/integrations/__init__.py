"""Ports to outside services, each with an embedded default so that `make dev` needs no accounts."""

from __future__ import annotations

from flask import Flask

from app.config import Settings
from app.integrations import files


def init_app(app: Flask, settings: Settings) -> None:
    # Supabase Storage with SUPABASE_URL, else a local folder: the same company-prefixed keys.
    app.extensions["plenum.files"] = files.for_settings(settings)
