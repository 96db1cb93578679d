"""Every `security definer` function, with its owner, its settings (`search_path`) and who may
execute it, as the Supabase Postgres image checks in its security test: the list changes only on
purpose. After an intended change, regenerate the snapshot and review its diff:

    PLENUM_UPDATE_SNAPSHOT=1 make test PYTEST_ARGS=tests/policies/test_definer_snapshot.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from app.db import Connection

SNAPSHOT = Path(__file__).with_name("definers.txt")
REGENERATE = (
    "PLENUM_UPDATE_SNAPSHOT=1 make test PYTEST_ARGS=tests/policies/test_definer_snapshot.py"
)
# One line per definer in every schema but the system's; a NULL acl is the default: the owner
# and PUBLIC.
DEFINERS = """
    select format('%I.%I(%s) owner=%s config=%s execute=%s',
                  n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
                  pg_get_userbyid(p.proowner),
                  coalesce(array_to_string(p.proconfig, ';'), '-'),
                  (select string_agg(g.name, ',' order by g.name)
                   from (select case when a.grantee = 0 then 'PUBLIC'
                                     else pg_get_userbyid(a.grantee) end as name
                         from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                         where a.privilege_type = 'EXECUTE') g)) as line
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname not like 'pg\\_%'
    order by 1
"""


def definers(conn: Connection) -> list[str]:
    return [row["line"] for row in conn.execute(DEFINERS).fetchall()]


@pytest.mark.promise("P-01")
def test_security_definers_match_the_snapshot(shared_admin: Connection) -> None:
    current = definers(shared_admin)
    if os.environ.get("PLENUM_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text("".join(f"{line}\n" for line in current))
        return
    expected = SNAPSHOT.read_text().splitlines() if SNAPSHOT.exists() else []
    diff = "\n".join(
        difflib.unified_diff(expected, current, "definers.txt", "database", lineterm="", n=0)
    )
    assert current == expected, (
        f"security definer functions differ from {SNAPSHOT.name} (- snapshot, + database)."
        f" If the change is intended, regenerate it with\n  {REGENERATE}\nand review the diff.\n"
        + diff
    )


def test_a_new_definer_or_grant_changes_the_list(admin: Connection) -> None:
    """The control: a made-up definer, then a grant on it, each show up as a changed line."""
    before = definers(admin)
    admin.execute(
        "create function app.first_company() returns text language sql stable security definer"
        " set search_path = '' as 'select name from public.tenants limit 1'"
    )
    added = sorted(set(definers(admin)) - set(before))
    assert added == [
        'app.first_company() owner=postgres config=search_path="" execute=postgres'
    ]  # PUBLIC is revoked by default privileges; a NULL acl would read PUBLIC,postgres
    admin.execute("grant execute on function app.first_company() to anon")
    assert sorted(set(definers(admin)) - set(before)) == [
        'app.first_company() owner=postgres config=search_path="" execute=anon,postgres'
    ]
