"""The rows every scenario hands to the runner, and the table they make (Markdown and JSON).

A row is one figure next to its baseline measured in the same run: `ratio` is value/baseline
(what to read), `target` the goal it is held against (a goal, not an assertion)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any, TypedDict


class Row(TypedDict):
    scenario: str
    measure: str
    value: float | None
    baseline: float | None
    ratio: float | None
    target: str
    note: str


def row(
    scenario: str,
    measure: str,
    value: float | None,
    baseline: float | None = None,
    target: str = "",
    note: str = "",
) -> Row:
    ratio = value / baseline if value is not None and baseline else None
    return Row(
        scenario=scenario,
        measure=measure,
        value=value,
        baseline=baseline,
        ratio=ratio,
        target=target,
        note=note,
    )


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def p50_p95(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), percentile(samples, 0.95)


def _figure(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.2f}"


def markdown(rows: list[Row], header: str = "") -> str:
    lines = [header, ""] if header else []
    lines += [
        "| scenario | measure | value | baseline | ratio | target | note |",
        "|---|---|--:|--:|--:|---|---|",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else ""
        lines.append(
            f"| {r['scenario']} | {r['measure']} | {_figure(r['value'])} |"
            f" {_figure(r['baseline'])} | {ratio} | {r['target']} | {r['note']} |"
        )
    return "\n".join(lines) + "\n"


def write(rows: list[Row], directory: Path, meta: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    header = "\n".join(f"- {key}: {value}" for key, value in meta.items())
    (directory / "latest.md").write_text(markdown(rows, header))
    (directory / "latest.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
