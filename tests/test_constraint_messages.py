"""Constraint messages: each feature registers its own; every registered name is a constraint
the database can raise, and a name cannot be given two messages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from app import db
from app.db import Connection


def test_every_registered_message_names_a_constraint_the_database_raises(
    app: Flask, admin: Connection
) -> None:
    # Constraints, and unique indexes (a violation names the index).
    declared = {
        row["name"]
        for row in admin.execute(
            "select conname as name from pg_constraint"
            " union select relname from pg_class where relkind = 'i'"
        ).fetchall()
    }
    # Triggers raise some by name (`raise … using constraint = '…'`).
    sources = " ".join(row["prosrc"] for row in admin.execute("select prosrc from pg_proc"))
    unknown = [
        name for name in db.CONSTRAINT_MESSAGES if name not in declared and name not in sources
    ]
    assert unknown == []
    assert len(db.CONSTRAINT_MESSAGES) > 50  # every feature's, once the app is built


def test_a_constraint_cannot_be_given_two_messages() -> None:
    name, entry = next(iter(db.CONSTRAINT_MESSAGES.items()))
    db.register_messages({name: entry})  # the same words again: harmless
    with pytest.raises(ValueError, match=name):
        db.register_messages({name: (entry[0], "Other words.")})


def test_the_core_holds_no_features_messages() -> None:
    source = Path(db.__file__).read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == (
            "CONSTRAINT_MESSAGES"
        ):
            assert isinstance(node.value, ast.Dict) and node.value.keys == []
            return
    raise AssertionError("app/db.py no longer declares CONSTRAINT_MESSAGES")


def test_the_customers_other_numbers_and_imported_values_have_words(
    app: Flask, admin: Connection
) -> None:
    # Every check and unique index on a customer's other numbers and emails, and those added to
    # customers and their contacts for the imports: a refusal the office can meet has words.
    checks = {
        row["name"]
        for row in admin.execute(
            "select conname as name from pg_constraint where contype = 'c' and conrelid in"
            " ('public.customer_phones'::regclass, 'public.customer_emails'::regclass)"
            " union select indexrelid::regclass::text from pg_index where indisunique"
            " and not indisprimary and indrelid in"
            " ('public.customer_phones'::regclass, 'public.customer_emails'::regclass)"
        ).fetchall()
    }
    assert len(checks) == 7
    added = {
        "customers_phone_kind_check",
        "customers_phone_extension_digits",
        "customers_billing_address_length",
        "customers_source_system_length",
        "customers_source_id_length",
        "customers_source_key",
        "customer_contacts_phone_kind_check",
        "customer_contacts_phone_extension_digits",
    }
    assert sorted((checks | added) - set(db.CONSTRAINT_MESSAGES)) == []
