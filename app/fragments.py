"""Large parts of a page rendered once for the same inputs (the dispatch board's lanes: hundreds
of cards that stay the same between most of a dispatcher's reloads).

A fragment is a template rendered from the values it is given and nothing else: not through
`render_template`, so the request's context (the signed-in member, the session) is not in it,
and the globals that answer for the request (the CSRF token, the menu, flashed messages) are
not in its environment, where anything undefined raises. What it renders is therefore a
function of those values, and it is kept under a digest of them: a request gets a kept fragment
only when its own reads, made under its own row-level security, gave exactly the same values,
in the same company. Nothing is shared that the request could not have rendered itself, and a
change to any row read gives a new digest (the old entry ages out).

Kept per process, least recently used first out, bounded by the characters of HTML kept
(`FRAGMENT_CACHE_BYTES`, about bytes for these pages; 0 turns it off)."""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, cast

from flask import current_app, request
from flask_login import current_user
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

# Template globals that answer for the request (its member, its session, its messages): not
# in the fragments' environment, where anything undefined raises when used.
REQUEST_GLOBALS = frozenset(
    {
        "request",
        "session",
        "g",
        "get_flashed_messages",
        "csrf_token",
        "csrf_meta_tag",
        "menu_links",
        "company_closure",
    }
)


class _Kept:
    """Rendered fragments by digest, within a byte budget (the oldest used go first)."""

    def __init__(self) -> None:
        # The template is kept with its fragment: while the entry lives, no other template
        # object can take its id (a part of the key).
        self._entries: OrderedDict[bytes, tuple[object, Markup]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Markup | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: bytes, template: object, html: Markup, budget: int) -> None:
        size = len(html)
        if size > budget:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (template, html)
            self._bytes += size
            while self._bytes > budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_kept = _Kept()


def _digest(name: str, template: object, values: dict[str, Any]) -> bytes:
    """What the fragment depends on: the template (the loaded object, so a reloaded template is
    a new key), where the app is reached (links start there), every value, and the company
    (fragments are never shared between companies, even when their values are equal)."""
    company = getattr(current_user, "tenant_id", None)
    state = (
        name,
        id(template),
        request.host_url,
        request.script_root,
        company,
        sorted(values.items()),
    )
    return hashlib.blake2b(pickle.dumps(state, pickle.HIGHEST_PROTOCOL), digest_size=32).digest()


def environment() -> Environment:
    """The app's templates, filters and globals without the request's globals, and with
    anything undefined raising when used: for the fragment and every template it imports
    (a macro imported without context sees the environment's globals, not the fragment's)."""
    found = current_app.extensions.get("fragments")
    if found is None:
        found = current_app.jinja_env.overlay(undefined=StrictUndefined)
        found.globals = {
            name: value
            for name, value in current_app.jinja_env.globals.items()
            if name not in REQUEST_GLOBALS
        }
        current_app.extensions["fragments"] = found
    return cast(Environment, found)


def render(
    name: str, derive: Callable[[], dict[str, Any]] | None = None, /, **values: Any
) -> Markup:
    """The template `name` rendered from `values` alone (autoescaped as every page), or the
    same rendering kept from an earlier request with equal values. `derive` gives what the
    template also needs when it is rendered: worked out from `values` (e.g. a layout), or rows
    that `values` name by their digests (a SHA-256 of each row's text, made by the query)."""
    template = environment().get_template(name)
    budget = int(current_app.config["FRAGMENT_CACHE_BYTES"])
    key = _digest(name, template, values) if budget > 0 else b""
    found = _kept.get(key) if key else None
    if found is None:
        # The template's output is autoescaped HTML, as render_template's is.
        found = Markup(template.render(values | (derive() if derive else {})))  # noqa: S704
        if key:
            _kept.put(key, template, found, budget)
    return found


def forget() -> None:
    """Drop every kept fragment (tests that change a template's inputs' meaning)."""
    _kept.clear()
