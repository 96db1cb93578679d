"""The import rules of app/ (STYLE.md, "Layout and naming"), read from the source with `ast`.

- A feature (one of FEATURES) may import the core, its own modules, and another feature only
  through the names that feature's `__init__.py` lists in `__all__`: `from app import customers`
  then `customers.customer(...)`, or `from app.customers import customer`; never
  `app.customers.service` or any other module inside it.
- The core (every other module of app/, except the composition root, which builds the app from
  the features) imports no feature.
- Features never import each other in a cycle, function-local imports included.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Packages of the core, though they add pages: everything else signs in through auth.
CORE_PACKAGES = frozenset({"auth"})


def blueprint_packages(root: Path) -> frozenset[str]:
    """Each package of app/ that adds pages (`bp = Blueprint(...)` in its __init__.py) is a
    feature, so a new one is held to the rules the moment it exists."""
    return (
        frozenset(
            init.parent.name
            for init in root.glob("*/__init__.py")
            if re.search(r"^bp = Blueprint\(", init.read_text(), re.MULTILINE)
        )
        - CORE_PACKAGES
    )


FEATURES = blueprint_packages(APP)
# Modules inside a feature package that belong to the core: every feature records its reads.
CORE_INSIDE_FEATURES = frozenset({"app.audit.access", "app.audit.labels"})
# Above the features: they assemble the app, its commands and the demo data from them.
COMPOSITION = ("app", "app.commands", "app.demo")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported, e.g. app.customers or app.customers.service
    name: str | None  # the name taken from a package (`from app.customers import customer`)
    line: int


@dataclass
class Tree:
    """The modules of one `app` package on disk."""

    root: Path
    features: frozenset[str] = FEATURES
    modules: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path in sorted(self.root.rglob("*.py")):
            parts = path.relative_to(self.root.parent).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            self.modules[".".join(parts)] = path

    def feature_of(self, module: str) -> str | None:
        parts = module.split(".")
        if len(parts) < 2 or parts[1] not in self.features:
            return None
        if any(module == c or module.startswith(c + ".") for c in CORE_INSIDE_FEATURES):
            return None
        return parts[1]

    def is_composition(self, module: str) -> bool:
        return module == "app" or any(
            module == c or module.startswith(c + ".") for c in COMPOSITION[1:]
        )

    def public_names(self, feature: str) -> set[str]:
        """What `app/<feature>/__init__.py` lists in `__all__`."""
        tree = ast.parse(self.modules[f"app.{feature}"].read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                    assert node.value is not None
                    return {str(v) for v in ast.literal_eval(node.value)}
        return set()

    def imports(self, module: str) -> tuple[list[Import], list[tuple[str, str, int]]]:
        """Every import of `module` (nested ones too), and each attribute read on an imported
        feature package (`customers.customer`) as (package, attribute, line)."""
        path = self.modules[module]
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found: list[Import] = []
        aliases: dict[str, str] = {}
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "app":
                        found.append(Import(module, alias.name, None, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                if base.split(".")[0] != "app":
                    continue
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    if submodule in self.modules:
                        found.append(Import(module, submodule, None, node.lineno))
                        aliases[alias.asname or alias.name] = submodule
                    else:
                        found.append(Import(module, base, alias.name, node.lineno))
        reads = [
            (aliases[node.value.id], node.attr, node.lineno)
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ]
        return found, reads


def problems(tree: Tree) -> list[str]:
    """Every broken rule, one line each, naming the file and line."""
    found: list[str] = []
    edges: dict[str, dict[str, str]] = {}
    for module in tree.modules:
        if tree.is_composition(module):
            continue
        own = tree.feature_of(module)
        imports, reads = tree.imports(module)
        where = tree.modules[module].relative_to(tree.root.parent)
        for imp in imports:
            target = tree.feature_of(imp.target)
            if target is None or target == own:
                continue
            at = f"{where}:{imp.line}"
            if own is None:
                found.append(f"{at}: the core imports the feature {imp.target}")
                continue
            edges.setdefault(own, {}).setdefault(target, at)
            if imp.target != f"app.{target}":
                found.append(
                    f"{at}: {own} imports {imp.target}, a module inside {target};"
                    f" use what app/{target}/__init__.py names in __all__"
                )
            elif imp.name is not None and imp.name not in tree.public_names(target):
                found.append(
                    f"{at}: {own} imports {imp.name} from {target}, which its __all__ does not name"
                )
        for package, attribute, line in reads:
            target = tree.feature_of(package)
            if (
                own is not None
                and target not in (None, own)
                and package == f"app.{target}"
                and attribute not in tree.public_names(target)
            ):
                found.append(
                    f"{where}:{line}: {own} uses {target}.{attribute},"
                    f" which app/{target}/__init__.py does not name in __all__"
                )
    found.extend(cycles(edges))
    return list(dict.fromkeys(found))  # one line per broken rule, however many names it takes


def cycles(edges: dict[str, dict[str, str]]) -> list[str]:
    """Each cycle of features once, with the import that closes each step."""
    reported: set[frozenset[str]] = set()
    found = []

    def walk(path: list[str]) -> None:
        for nxt in sorted(edges.get(path[-1], {})):
            if nxt == path[0]:
                members = frozenset(path)
                if members not in reported:
                    reported.add(members)
                    steps = [
                        f"{a} → {b} ({edges[a][b]})"
                        for a, b in zip(path, [*path[1:], path[0]], strict=True)
                    ]
                    found.append("features import each other in a cycle: " + ", ".join(steps))
            elif nxt not in path and nxt > path[0]:
                walk([*path, nxt])

    for start in sorted(edges):
        walk([start])
    return found


# Where SQL may stay in Python: the request transaction's first statement (the mechanism every
# query goes through), and statements composed with psycopg.sql because their conditions and
# order vary with the search.
INLINE_SQL_ALLOWED = frozenset({"app/db.py", "app/customers/search.py", "app/audit/search.py"})
_STATEMENT = re.compile(
    r"^\s*(select\s|insert\s+into\s|update\s+\S+\s+set\s|delete\s+from\s|with\s+\w+\s+as\s*\()",
    re.IGNORECASE,
)


def inline_sql(tree: Tree) -> list[str]:
    """String literals of app/ that are SQL statements, outside named queries (queries.sql)."""
    found = []
    for path in tree.modules.values():
        where = str(path.relative_to(tree.root.parent))
        if where in INLINE_SQL_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _STATEMENT.match(node.value)
            ):
                found.append(f"{where}:{node.lineno}: {node.value.strip()[:60]!r}")
    return found
