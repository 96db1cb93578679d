"""Plenum: the Flask service."""

from __future__ import annotations

from flask import Flask

from app import company, db, errors, formatting, logs, menu, money, security, sentry
from app.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: settings, logs and error reports, pool, security, blueprints, error pages
    and commands."""
    settings = settings or Settings.from_env()
    sentry.init(settings, "web")
    app = Flask(__name__)
    logs.init_app(app)  # first: its clock starts before any other step of a request
    app.config.update(
        PLENUM=settings,
        SECRET_KEY=settings.secret_key,
        SECRET_KEY_FALLBACKS=list(settings.secret_key_fallbacks),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        FRAGMENT_CACHE_BYTES=settings.fragment_cache_bytes,
    )
    security.init_app(app, settings)
    db.init_app(
        app,
        db.create_pool(
            settings.database_url,
            settings.pool_min_size,
            settings.pool_max_size,
            settings.prepared_statements,
        ),
    )

    from app import (
        audit,
        auth,
        booking,
        calls,
        certificates,
        closing,
        company_export,
        customers,
        dashboard,
        estimates,
        imports,
        integrations,
        invoices,
        messaging,
        payments,
        portal,
        pricebook,
        privacy_requests,
        properties,
        scheduling,
        service_requests,
        technician,
        tenancy,
        worklists,
    )

    auth.init_app(app)
    menu.init_app(app)
    integrations.init_app(app, settings)
    for blueprint in (
        auth.bp,
        tenancy.bp,
        dashboard.bp,
        messaging.bp,
        audit.bp,
        properties.bp,
        customers.bp,
        imports.bp,
        scheduling.bp,
        calls.bp,
        technician.bp,
        worklists.bp,
        pricebook.bp,
        estimates.bp,
        invoices.bp,
        payments.bp,
        portal.bp,
        service_requests.bp,
        privacy_requests.bp,
        booking.bp,
        closing.bp,
        company_export.bp,
        certificates.bp,
    ):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    formatting.init_app(app)
    app.jinja_env.globals["company_closure"] = company.closure
    money.init_app(app)

    from app import commands

    commands.init_app(app)
    return app
