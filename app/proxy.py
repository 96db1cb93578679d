"""The client's real address, read the way the deployment documents it.

Behind Fly's proxy the right-most `X-Forwarded-For` entry is not the visitor, and any header a
visitor can send is worthless when the app is reached directly. So no forwarded header is
trusted unless configured: `CLIENT_ADDRESS_HEADER` names the one header the deployment's proxy
sets and overwrites (`Fly-Client-IP` on Fly), and `TRUSTED_PROXIES` may restrict it further to
requests whose peer is the proxy. Everything else sees the socket's peer address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Network


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class ClientAddress:
    """WSGI middleware: REMOTE_ADDR becomes the configured header's address when it holds a
    valid one (and the peer is a trusted proxy, when proxies are listed)."""

    def __init__(self, app: Any, header: str, trusted: Iterable[Network] = ()) -> None:
        self.app = app
        self.key = "HTTP_" + header.upper().replace("-", "_")
        self.trusted = tuple(trusted)

    def _from_proxy(self, peer: str) -> bool:
        if not self.trusted:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        client = _address(environ.get(self.key, ""))
        if client is not None and self._from_proxy(peer):
            environ["REMOTE_ADDR"] = client
        return self.app(environ, start_response)


def wrap(app: Any, header: str | None, trusted: Iterable[Network], behind_https_proxy: bool) -> Any:
    """The WSGI app with the deployment's proxy headers applied, and nothing else trusted."""
    if behind_https_proxy:
        # The scheme only (for the HTTPS redirect and Secure cookies); never X-Forwarded-For.
        app = ProxyFix(app, x_for=0, x_proto=1, x_host=0, x_port=0, x_prefix=0)
    if header:
        app = ClientAddress(app, header, trusted)
    return app
