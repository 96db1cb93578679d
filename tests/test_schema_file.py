"""supabase/schema.sql is the schema the migrations and policies make, as of the last commit."""

from __future__ import annotations

import difflib
import os

from app import schema
from tests.conftest import _with_database


def test_schema_file_is_current(template_database: str) -> None:
    """The template database was migrated from scratch, as `flask db schema` does."""
    current = schema.dump(_with_database(os.environ["DATABASE_ADMIN_URL"], template_database))
    stored = schema.FILE.read_text() if schema.FILE.exists() else ""
    if stored != current:
        diff = "".join(
            list(
                difflib.unified_diff(
                    stored.splitlines(keepends=True),
                    current.splitlines(keepends=True),
                    "supabase/schema.sql",
                    "migrated",
                    n=1,
                )
            )[:40]
        )
        raise AssertionError(
            f"supabase/schema.sql is not current: run `{schema.REGENERATE}` (or `make schema`)"
            f" and commit it.\n{diff}"
        )


def test_the_dump_leaves_out_what_varies_between_runs() -> None:
    raw = (
        "--\n-- Dumped from database version 15.20\n-- Dumped by pg_dump version 15.20\n"
        "\\restrict abc123\nCREATE TABLE public.t ();\n\\unrestrict abc123\n"
    )
    assert schema._VARYING.sub("", raw) == "--\nCREATE TABLE public.t ();\n"
