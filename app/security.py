"""CSRF on every form, security headers, cookie flags and HTTPS (PROMISES.md P-06, P-19, P-20)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect

from app import edge, proxy
from app.config import Settings

csrf = CSRFProtect()

# Where a "Pay" form's answer may send the browser: Stripe's Checkout page (a browser follows a
# form's redirect only to an origin `form-action` names).
STRIPE_CHECKOUT = "https://checkout.stripe.com"


def content_security_policy(settings: Settings) -> str:
    """No inline script or style anywhere: everything comes from /static. Forms post here, and
    their answers may go on to Stripe Checkout (with STRIPE_API_BASE set, to that origin: the
    tests' loopback Stripe serves its Checkout page too)."""
    checkout = STRIPE_CHECKOUT
    if settings.stripe_api_base:
        parts = urlsplit(settings.stripe_api_base)
        checkout = f"{parts.scheme}://{parts.netloc}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action 'self' {checkout}",
            "frame-ancestors 'none'",
        )
    )


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Browsers keep to HTTPS for two years (P-20), subdomains included.
HSTS = "max-age=63072000; includeSubDomains"


def init_app(app: Flask, settings: Settings) -> None:
    """Cookie flags, CSRF protection and headers on every response."""
    app.config.update(
        SESSION_COOKIE_NAME="plenum_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        PREFERRED_URL_SCHEME="https" if settings.is_production else "http",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.wsgi_app = proxy.wrap(  # type: ignore[method-assign]
        app.wsgi_app,
        settings.client_address_header,
        settings.trusted_proxies,
        behind_https_proxy=settings.is_production,
    )
    if settings.is_production:
        # Registered first, so that plain http is redirected before anything else runs.
        app.before_request(_require_https)
    edge.init_app(app)  # bad input is refused before CSRF, sign-in or any view reads it
    csrf.init_app(app)

    policy = content_security_policy(settings)

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if settings.is_production:
            response.headers["Strict-Transport-Security"] = HSTS
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _require_https() -> Response | None:
    """Plain http goes to the same path on the configured public address, never to whatever
    host the request names (a `Host` header is the client's to choose)."""
    from flask import current_app, redirect, request
    from werkzeug.urls import iri_to_uri

    if request.scheme == "https" or request.path in ("/healthz", "/readyz"):
        return None
    target = current_app.config["PLENUM"].public_url + iri_to_uri(request.path)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=308)  # type: ignore[return-value]
