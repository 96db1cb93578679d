"""`pytest --promises`: after the run, list which tests prove which promise of PROMISES.md,
with their outcome, and the promises no collected test covers."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

PROMISES_FILE = Path(__file__).resolve().parents[3] / "shared" / "PROMISES.md"
_outcomes: dict[str, str] = {}


def known_promises() -> list[str]:
    if not PROMISES_FILE.exists():
        return []
    return sorted(set(re.findall(r"^\| (P-\d\d) \|", PROMISES_FILE.read_text(), re.MULTILINE)))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--promises", action="store_true", help="report tests per promise (P-NN)")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        _outcomes[report.nodeid] = report.outcome


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if not config.getoption("--promises"):
        return
    covered: dict[str, list[str]] = defaultdict(list)
    for item in getattr(config, "_promise_items", []):
        covered[item[0]].append(item[1])
    terminalreporter.section("promises")
    for promise in sorted(set(known_promises()) | set(covered)):
        tests = covered.get(promise, [])
        terminalreporter.write_line(
            f"{promise}: {len(tests)} test(s)" if tests else f"{promise}: NOT COVERED"
        )
        for nodeid in tests:
            terminalreporter.write_line(f"    {_outcomes.get(nodeid, 'not run'):8} {nodeid}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    found = []
    for item in items:
        for mark in item.iter_markers("promise"):
            for promise in mark.args:
                found.append((promise, item.nodeid))
    config._promise_items = found  # type: ignore[attr-defined]
