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
