"""Fragments (app/fragments.py): a part of a page rendered from the values it is given and
nothing else, kept for equal values in the same company, re-rendered when any value changes,
and never shared between companies."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from uuid import uuid4

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader, UndefinedError

from app import fragments

NAME = "tests/_fragment.html"


@pytest.fixture
def rendering(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A fragment template that notes each time it is rendered, in a request of a company."""
    renders: list[str] = []
    sources = {
        NAME: "{{ note(name) }}{{ name }}: ",
        "tests/_member.html": "{{ current_user.email }}",
        "tests/_csrf.html": "{{ csrf_token() }}",
        "tests/_session.html": "{{ session.tenant_id }}",
        "tests/_messages.html": "{{ get_flashed_messages() }}",
        "tests/_if_member.html": "{% if current_user %}signed in{% endif %}",
        "tests/_macros.html": "{% macro token() %}{{ csrf_token() }}{% endmacro %}",
        "tests/_imported.html": '{% from "tests/_macros.html" import token %}{{ token() }}',
    }
    monkeypatch.setattr(
        app.jinja_env,
        "loader",
        ChoiceLoader([DictLoader(sources), *filter(None, [app.jinja_env.loader])]),
    )
    monkeypatch.setattr(fragments, "current_user", SimpleNamespace(tenant_id=uuid4()))
    fragments.forget()
    with app.test_request_context("/"):
        yield renders
    fragments.forget()


def show(renders: list[str], name: str) -> str:
    def note(shown: str) -> str:
        renders.append(shown)
        return ""

    return str(fragments.render(NAME, lambda: {"note": note}, name=name))


def test_equal_values_are_rendered_once_and_a_changed_value_again(rendering: list[str]):
    assert show(rendering, "Ruth") == "Ruth: "
    assert show(rendering, "Ruth") == "Ruth: "
    assert rendering == ["Ruth"]

    assert show(rendering, "Rita") == "Rita: "
    assert rendering == ["Ruth", "Rita"]


@pytest.mark.parametrize(
    "name",
    ["tests/_member.html", "tests/_csrf.html", "tests/_session.html", "tests/_messages.html"],
)
def test_the_request_is_not_in_a_fragment(rendering: list[str], name: str):
    """Only the values given: a fragment that reaches for the signed-in member or the CSRF token
    (which would make a kept fragment show one member's details to another) fails at once."""
    with pytest.raises(UndefinedError):
        fragments.render(name)


def test_values_are_escaped_as_on_every_page(rendering: list[str]):
    assert show(rendering, "<b>Ruth</b>") == "&lt;b&gt;Ruth&lt;/b&gt;: "


def test_another_company_never_gets_a_kept_fragment(
    rendering: list[str], monkeypatch: pytest.MonkeyPatch
):
    show(rendering, "Ruth")
    monkeypatch.setattr(fragments, "current_user", SimpleNamespace(tenant_id=uuid4()))
    show(rendering, "Ruth")
    assert rendering == ["Ruth", "Ruth"]


def test_the_budget_drops_the_least_recently_used(app: Flask, rendering: list[str]):
    app.config["FRAGMENT_CACHE_BYTES"] = len("Ann: ") * 2
    show(rendering, "Ann")
    show(rendering, "Bob")
    show(rendering, "Ann")  # kept, and now the most recently used
    show(rendering, "Cid")  # over budget: Bob goes
    show(rendering, "Ann")
    show(rendering, "Bob")
    assert rendering == ["Ann", "Bob", "Cid", "Bob"]


def test_a_zero_budget_keeps_nothing(app: Flask, rendering: list[str]):
    app.config["FRAGMENT_CACHE_BYTES"] = 0
    show(rendering, "Ann")
    show(rendering, "Ann")
    assert rendering == ["Ann", "Ann"]
