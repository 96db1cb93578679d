"""Bad input is a clear answer, never a 500 (issue 10): every route of the URL map, as anon, as
an office member and as a technician, GET and POST, with hostile values in the path, the
query, the form, the headers and the cookies.

Each actor gets its own database (the POSTs act on it). The values are sampled, not crossed:
a fixed seed picks a few per route, so a failure is reproducible and the run stays short."""

from __future__ import annotations

import base64
import json
import random
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.conftest import Client
from tests.factories import Factory, Tenant
from tests.test_routes_security import OBJECT_IN_TENANT, World, a_weekday_ahead, form_data

SEED = 20261204
SAMPLES_PER_RULE = 3
VARIABLE = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


def cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


ZERO = "00000000-0000-0000-0000-000000000000"
# Raw (already percent-encoded) path segments no route should choke on.
HOSTILE_SEGMENTS = [
    "%00",
    "%0d%0aSet-Cookie:%20x=1",
    "x" * 3000,
    "%ff%fe",
    "%c0%af",  # an overlong UTF-8 encoding of "/"
    "-1",
    "1e309",
    "..%2f..%2fetc%2fpasswd",
    "%E2%80%AE",  # right-to-left override
    str(uuid.UUID(int=1)),
]
# Query values that pass the edge and reach the views: forged cursors, impossible dates, wrong
# types, open redirects, unusual text.
HOSTILE_QUERY = [
    cursor("0001-01-01T00:00:00-23:59", ZERO),
    cursor("9999-12-31T23:59:59-23:59", ZERO),
    cursor(["nested"], {"a": 1}),
    cursor("Zed", "not-a-uuid"),
    cursor("2024-01-01T00:00:00+00:00", ZERO),
    cursor(1e308, ZERO),
    "not base64 at all!",
    base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    "9999-99-99",
    "0000-01-01",
    "9999-12-31",
    "2024-02-30",
    "-5",
    "99999999999999999999999",
    "NaN",
    "x" * 1900,
    "//evil.example/",
    "/\\evil.example",
    "😀" * 40,
    ZERO,
]
# Query values refused at the edge: NUL, CR/LF, bytes that are not UTF-8, far too long.
REFUSED_QUERY = ["%00", "%0d%0a", "%ff%fe", "%c0%af", "z" * 2100]
QUERY_NAMES = [
    "after",
    "sort",
    "q",
    "day",
    "start",
    "from",
    "page",
    "size",
    "queue",
    "technician",
    "equipment",
    "next",
    "starts",
    "ends",
    "actor",
    "table",
    "operation",
]
# Form values of the wrong type, out of range, or hostile text (NUL is refused at the edge).
HOSTILE_FORM = [
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "25:61",
    "23:59",
    "not-a-uuid",
    ZERO,
    "y" * 6000,
    "<script>alert(1)</script>",
    "\u202e\u200b",
    "line one\r\nline two",
    "😀" * 300,
    "data:image/png;base64,AAAA",
    "Mars/Olympus",
]
EXTRA_FIELDS = [
    "kind",
    "preferred_contact",
    "months",
    "equipment_ids",
    "property_id",
    "replacing",
    "signature",
    "signed_by",
    "completion_notes",
    "slot",
    "square_feet",
    "year_built",
    "installed_on",
    "warranty_ends_on",
    "starts_at",
    "ends_at",
    "reason",
    "name",
    "notes",
    "done",
    "status",
    "to",
    "next",
    "window_starts_at",
]
HOSTILE_HEADERS: list[dict[str, str]] = [
    {"User-Agent": "agent\x00zero"},
    {"User-Agent": "u" * 20_000},
    {"X-Forwarded-For": "1.2.3.4\r\nX-Evil: 1"},
    {"Cookie": "plenum_session=forged.value.sig; other=\x01"},
    {"Cookie": "plenum_session=" + "A" * 5000},
    {"Accept-Language": "\x7f"},
    {"Referer": "http://evil.example/%00"},
]


# Routes that would end the acting session part-way (their own tests cover bad input there).
ENDS_THE_SESSION = {"auth.sign_out", "auth.change_password"}
CSRF_REFUSAL = "This form has expired"


def rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in {"static", *ENDS_THE_SESSION}),
        key=lambda r: (r.rule, r.endpoint),
    )


def own_values(world: World, rule: Rule) -> dict[str, Any]:
    """The route's variables filled with the acting company's own objects (or a token)."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name in OBJECT_IN_TENANT:
            values[name] = OBJECT_IN_TENANT[name](world, world.mine)
        else:
            values[name] = "no-such-token"
    return values


def build_path(rule: Rule, values: dict[str, Any]) -> str:
    """The rule's path with each variable replaced by a raw (already encoded) segment."""

    def segment(match: re.Match[str]) -> str:
        raw = str(values[match.group(1)])
        return raw if "%" in raw else quote(raw, safe="")

    return VARIABLE.sub(segment, rule.rule)


_MADE: dict[tuple[object, str], object] = {}


def other_company_object(world: World, name: str) -> object:
    """Another company's object for a URL variable, made once per world (several routes share
    a variable, and some objects may exist only once, e.g. one open invitation per address)."""
    key = (world.theirs.id, name)
    if key not in _MADE:
        _MADE[key] = OBJECT_IN_TENANT[name](world, world.theirs)
    return _MADE[key]


def requests_for(rule: Rule, world: World, rng: random.Random) -> Iterator[tuple[str, str, dict]]:
    """(method, url, form): own ids with hostile query and form values (twice), another
    company's ids, hostile path segments, and a value the edge refuses."""
    methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    own = own_values(world, rule)
    other = {name: other_company_object(world, name) for name in own if name in OBJECT_IN_TENANT}
    urls = [f"{build_path(rule, own)}?{hostile_query(rng)}" for _ in range(2)]
    if rule.arguments:
        urls.append(f"{build_path(rule, {**own, **other})}?{hostile_query(rng)}")
        for segment in rng.sample(HOSTILE_SEGMENTS, SAMPLES_PER_RULE):
            urls.append(build_path(rule, {**own, rng.choice(sorted(rule.arguments)): segment}))
    urls.append(f"{build_path(rule, own)}?{rng.choice(QUERY_NAMES)}={rng.choice(REFUSED_QUERY)}")
    for url in urls:
        for method in methods:
            yield method, url, hostile_form(world, rng) if method == "POST" else {}


def hostile_query(rng: random.Random) -> str:
    names = rng.sample(QUERY_NAMES, 4)
    return "&".join(f"{name}={quote(rng.choice(HOSTILE_QUERY), safe='')}" for name in names)


def hostile_form(world: World, rng: random.Random) -> dict[str, str]:
    """A form where about half of the fields hold a hostile value, the rest a valid one."""
    form = form_data(world)
    for name in [*form, *EXTRA_FIELDS]:
        if rng.random() < 0.5:
            form[name] = rng.choice(HOSTILE_FORM)
    return form


def make_world(make: Factory) -> World:
    mine, theirs = make.tenant("Fuzz Air"), make.tenant("Other Boilers")
    technicians = (
        make.member(mine.id, "technician").account_id,
        make.member(mine.id, "technician").account_id,
    )
    homeowner, neighbour = make.customer(mine.id), make.customer(mine.id)
    return World(
        make,
        mine,
        theirs,
        theirs,
        theirs,
        technicians,
        homeowner,
        neighbour,
        make.customer(theirs.id),
    )


def actor_client(app: Flask, make: Factory, world: World, actor: str) -> Client:
    client: Client = app.test_client()  # type: ignore[assignment]
    if actor == "office":
        client.sign_in(world.mine.owner.email)
    elif actor == "technician":
        technician = make.member(world.mine.id, "technician")
        job = make.job(world.mine.id, make.property(world.mine.id, make.customer(world.mine.id)))
        make.visit(world.mine.id, job, a_weekday_ahead(9), technicians=(technician.account_id,))
        client.sign_in(technician.email)
    return client


@pytest.mark.parametrize("actor", ["anon", "office", "technician"])
def test_no_route_answers_hostile_input_with_a_500(app: Flask, make: Factory, actor: str):
    world = make_world(make)
    client = actor_client(app, make, world, actor)
    rng = random.Random(f"{SEED}-{actor}")
    token = client.csrf_token()
    failures: list[str] = []
    statuses: dict[int, int] = {}
    sent = refused_tokens = 0
    for rule in rules(app):
        for method, url, form in requests_for(rule, world, rng):
            if method == "POST":
                form = {"csrf_token": token, **form}
            response = client.open(url, method=method, data=form)
            sent += 1
            if response.status_code == 400 and CSRF_REFUSAL in response.get_data(as_text=True):
                refused_tokens += 1  # the session was rotated (e.g. by the company switcher)
                token = client.csrf_token()
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append(f"{method} {url[:200]} -> {response.status_code}")
    for headers in HOSTILE_HEADERS:
        for url in ("/", "/sign-in", "/customers", "/my-day"):
            response = client.open(url, environ_overrides=environ_for(headers))
            sent += 1
            if response.status_code >= 500:
                failures.append(f"GET {url} with {list(headers)} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert refused_tokens < 5, "most POSTs must get past CSRF to reach their view"
    assert sent > 300  # fewer means routes went missing


def test_the_fuzzer_sees_a_500_when_there_is_one(app: Flask):
    """Control: a route that fails is reported as a 500, not swallowed by the client."""

    @app.get("/__fails")
    def fails() -> str:
        raise RuntimeError("boom")

    assert app.test_client().get("/__fails").status_code == 500


def environ_for(headers: dict[str, str]) -> dict[str, str]:
    """Headers as the server hands them over, past the test client's own checks (a real
    client can send what Werkzeug's test client refuses to build)."""
    return {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        (environ_for({"User-Agent": "a\x00b"}), "/sign-in"),
        (environ_for({"X-Anything": "a\r\nb"}), "/"),
        (environ_for({"Cookie": "plenum_session=a\x01b"}), "/"),
        (environ_for({"User-Agent": "u" * 9000}), "/sign-in"),
        ({}, "/customers?q=%ff"),
        ({"PATH_INFO": "/customers/\xff\xfe"}, "/"),
        ({}, "/sign-in?next=/%0d%0aSet-Cookie:x=1"),
        ({}, "/customers?q=" + "x" * 3000),
    ],
    ids=[
        "NUL header",
        "CRLF header",
        "control character in a cookie",
        "overlong header",
        "bad UTF-8 query",
        "bad UTF-8 path",
        "CRLF next",
        "overlong query",
    ],
)
def test_hostile_input_is_a_clear_400(app: Flask, environ: dict[str, str], url: str):
    # Without a cookie jar, so that the Cookie header is sent as given.
    response = app.test_client(use_cookies=False).get(url, environ_overrides=environ)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "cannot be stored" in body or "not valid text" in body or "far too long" in body


def test_sign_in_with_a_nul_in_the_user_agent_is_refused_before_anything_is_stored(
    client: Client, make: Factory, admin
):
    company: Tenant = make.tenant()
    response = client.submit(
        "/sign-in",
        {"email": company.owner.email, "password": "correct horse battery staple"},
        headers={"User-Agent": "agent\x00zero"},
    )
    assert response.status_code == 400
    assert admin.execute("select count(*) as n from iam.sessions").fetchone() == {"n": 0}


def test_a_forged_cursor_gives_the_first_page(make: Factory, app: Flask):
    company = make.tenant()
    make.customer(company.id)
    client: Client = app.test_client()  # type: ignore[assignment]
    client.sign_in(company.owner.email)
    for forged in (
        cursor("0001-01-01T00:00:00-23:59", ZERO),
        cursor("9999-12-31T23:59:59-23:59", ZERO),
    ):
        response = client.get(f"/customers?sort=newest&after={forged}")
        assert response.status_code == 200


def test_a_posted_next_with_a_line_break_stays_on_the_site(make: Factory, app: Flask):
    from tests.factories import PASSWORD

    company = make.tenant()
    client: Client = app.test_client()  # type: ignore[assignment]
    response = client.submit(
        "/sign-in",
        {"email": company.owner.email, "password": PASSWORD, "next": "/\r\nSet-Cookie: x=1"},
    )
    assert response.status_code == 302
    assert (
        "\n" not in response.headers["Location"]
        and "Set-Cookie" not in response.headers["Location"]
    )
