"""Message templates: variables checked when saved, rendering, and SMS segments counted the way
carriers count them."""

from __future__ import annotations

import pytest

from app.messaging.outgoing import channel_for
from app.messaging.templates import KINDS, problems, render, sms_length


def test_every_built_in_template_uses_only_its_kinds_variables():
    for kind in KINDS.values():
        for text in (kind.sms, kind.email_subject, kind.email_body):
            assert problems(kind, text) == [], (kind.name, text)


def test_an_unknown_or_broken_variable_is_refused_with_what_is_offered():
    kind = KINDS["on_my_way"]
    assert problems(kind, "Hi {first_nam}") == [
        "Unknown variable {first_nam}: use {first_name}, {company}, {company_phone},"
        " {technician}, {eta}."
    ]
    assert problems(kind, "Hi {first_name") == [
        "A brace is not closed: write {{ and }} for a brace itself."
    ]
    assert problems(kind, "Hi {}") == ["Write a variable as {name}, e.g. {first_name}."]
    assert problems(kind, "Braces {{like this}} are fine") == []


def test_render_fills_variables_and_leaves_missing_ones_empty():
    text = "Hi {first_name}, {technician} is on the way{eta}."
    assert render(text, {"first_name": "Pat", "technician": "Sam"}) == (
        "Hi Pat, Sam is on the way."
    )


@pytest.mark.parametrize(
    ("text", "characters", "segments", "encoding"),
    [
        ("", 0, 0, "GSM-7"),
        ("a" * 160, 160, 1, "GSM-7"),
        ("a" * 161, 161, 2, "GSM-7"),
        ("a" * 306, 306, 2, "GSM-7"),
        ("a" * 307, 307, 3, "GSM-7"),
        ("€" * 80, 80, 1, "GSM-7"),  # each takes two places: 160
        ("€" * 81, 81, 2, "GSM-7"),
        ("a" * 69 + "\u2013", 70, 1, "UCS-2"),  # an en dash is not GSM-7
        ("a" * 70 + "\u2013", 71, 2, "UCS-2"),
        ("🙂" * 35, 35, 1, "UCS-2"),  # an emoji is two UTF-16 units
        ("🙂" * 36, 36, 2, "UCS-2"),
    ],
)
def test_sms_length_in_segments(text, characters, segments, encoding):
    found = sms_length(text)
    assert (found.characters, found.segments, found.encoding) == (characters, segments, encoding)


@pytest.mark.parametrize(
    ("preferred", "phone", "email", "expected"),
    [
        ("sms", "+15085550100", "pat@example.com", ("sms", "+15085550100")),
        ("sms", "", "pat@example.com", ("email", "pat@example.com")),
        ("email", "+15085550100", "pat@example.com", ("email", "pat@example.com")),
        ("email", "+15085550100", "", ("sms", "+15085550100")),
        ("phone", "+15085550100", "pat@example.com", ("sms", "+15085550100")),
        ("sms", "", "", None),
    ],
)
def test_the_channel_follows_the_customers_preference(preferred, phone, email, expected):
    assert channel_for(preferred, phone, email) == expected
