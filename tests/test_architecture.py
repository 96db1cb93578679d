"""Features use each other only through the names their __init__.py lists, never in a cycle, and
the core imports no feature (tests/architecture.py). Each rule is shown to catch a made-up
violation."""

from __future__ import annotations

from pathlib import Path

from tests.architecture import APP, FEATURES, Tree, inline_sql, problems


def test_app_follows_the_import_rules() -> None:
    assert problems(Tree(APP)) == []


def test_every_feature_names_its_public_functions() -> None:
    tree = Tree(APP)
    for feature in FEATURES:
        source = tree.modules[f"app.{feature}"].read_text()
        assert "__all__" in source, f"app/{feature}/__init__.py has no __all__"


def test_sql_lives_in_named_queries() -> None:
    """Statements are in a feature's queries.sql (app/sql.py loads them by name)."""
    assert inline_sql(Tree(APP)) == []


def test_inline_sql_is_caught(tmp_path: Path) -> None:
    tree = make_app(
        tmp_path, {"app/beta/service.py": 'def f(conn):\n    conn.execute("select 1")\n'}
    )
    assert inline_sql(tree) == ["app/beta/service.py:2: 'select 1'"]


def make_app(root: Path, files: dict[str, str]) -> Tree:
    """A made-up app/ with two features, alpha and beta, and the given modules."""
    base = {
        "app/__init__.py": "from app import alpha, beta\n",
        "app/db.py": "",
        "app/alpha/__init__.py": "from app.alpha.service import greet\n__all__ = ['greet']\n",
        "app/alpha/service.py": "from app import db\ndef greet(): pass\nSECRET = 1\n",
        "app/beta/__init__.py": "__all__ = ['wave']\ndef wave(): pass\n",
        "app/beta/service.py": "",
    }
    for name, text in (base | files).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Tree(root / "app", features=frozenset({"alpha", "beta"}))


def test_the_made_up_app_passes_when_it_uses_public_names(tmp_path: Path) -> None:
    tree = make_app(
        tmp_path,
        {
            "app/beta/service.py": (
                "from app import alpha\nfrom app.alpha import greet\ndef f(): alpha.greet()\n"
            )
        },
    )
    assert problems(tree) == []


def test_a_feature_importing_another_features_module_is_caught(tmp_path: Path) -> None:
    tree = make_app(tmp_path, {"app/beta/service.py": "from app.alpha.service import SECRET\n"})
    assert problems(tree) == [
        "app/beta/service.py:1: beta imports app.alpha.service, a module inside alpha;"
        " use what app/alpha/__init__.py names in __all__"
    ]
    tree = make_app(tmp_path, {"app/beta/service.py": "from app.alpha import service as a\n"})
    assert "a module inside alpha" in problems(tree)[0]


def test_a_name_missing_from_all_is_caught(tmp_path: Path) -> None:
    tree = make_app(tmp_path, {"app/beta/service.py": "from app.alpha import SECRET\n"})
    assert problems(tree) == [
        "app/beta/service.py:1: beta imports SECRET from alpha, which its __all__ does not name"
    ]
    tree = make_app(
        tmp_path, {"app/beta/service.py": "from app import alpha\ndef f(): alpha.SECRET\n"}
    )
    assert problems(tree) == [
        "app/beta/service.py:2: beta uses alpha.SECRET,"
        " which app/alpha/__init__.py does not name in __all__"
    ]


def test_a_cycle_between_features_is_caught_even_through_a_function_local_import(
    tmp_path: Path,
) -> None:
    tree = make_app(
        tmp_path,
        {
            "app/alpha/service.py": (
                "def greet():\n    from app.beta import wave\n    wave()\nSECRET = 1\n"
            ),
            "app/beta/service.py": "from app.alpha import greet\n",
        },
    )
    assert problems(tree) == [
        "features import each other in a cycle:"
        " alpha → beta (app/alpha/service.py:2), beta → alpha (app/beta/service.py:1)"
    ]


def test_the_core_importing_a_feature_is_caught(tmp_path: Path) -> None:
    tree = make_app(tmp_path, {"app/db.py": "from app.beta import wave\n"})
    assert problems(tree) == ["app/db.py:1: the core imports the feature app.beta"]
