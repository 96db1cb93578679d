"""The lock files install what pyproject.toml asks for: each of its requirements (runtime ones
in both locks, dev ones in requirements-dev.lock), and what each asked-for extra brings, pinned
with hashes at a version the requirement allows; the two locks pin shared packages alike.
`make lock` regenerates them."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# The platform the locks are resolved for (Makefile's `lock`): the image's and CI's. Markers
# take the rest of their environment from this process.
TARGET = {
    "python_version": "3.11",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "implementation_name": "cpython",
}
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Pin:
    version: Version
    hashes: frozenset[str]


def read_lock(name: str) -> dict[str, Pin]:
    """Every `name==version --hash=…` entry of a lock file, by canonical name."""
    text = (ROOT / name).read_text().replace("\\\n", " ")
    pins: dict[str, Pin] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement = Requirement(line.split(" --hash")[0])
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        pins[canonicalize_name(requirement.name)] = Pin(
            Version(specifier.version), frozenset(HASH.findall(line))
        )
    return pins


def _extra_requirements(requirement: Requirement) -> list[Requirement]:
    """What the requirement's extras add (psycopg[binary]: psycopg-binary), from the installed
    package's metadata."""
    found = []
    for extra in sorted(requirement.extras):
        for text in importlib.metadata.requires(requirement.name) or []:
            added = Requirement(text)
            if added.marker and added.marker.evaluate({**TARGET, "extra": extra}):
                found.append(added)
    return found


def disagreements(requirements: list[str], pins: dict[str, Pin]) -> list[str]:
    """Each requirement that the lock does not satisfy, in words."""
    problems = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate(TARGET):
            continue
        for wanted in (requirement, *_extra_requirements(requirement)):
            pin = pins.get(canonicalize_name(wanted.name))
            if pin is None:
                problems.append(f"{wanted} (from {text}) is not in the lock")
            elif not wanted.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{wanted} (from {text}): the lock pins {pin.version}")
    return problems


def test_requirements_lock_satisfies_the_runtime_dependencies():
    assert disagreements(PROJECT["dependencies"], read_lock("requirements.lock")) == []


def test_dev_lock_satisfies_every_dependency():
    wanted = PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]
    assert disagreements(wanted, read_lock("requirements-dev.lock")) == []


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_has_hashes(name):
    assert [package for package, pin in read_lock(name).items() if not pin.hashes] == []


def test_the_two_locks_pin_shared_packages_alike():
    runtime, dev = read_lock("requirements.lock"), read_lock("requirements-dev.lock")
    assert {name: pin for name, pin in runtime.items() if dev.get(name) != pin} == {}


def test_a_lock_that_disagrees_with_pyproject_is_named():
    pins = read_lock("requirements.lock")
    without_binary = {name: pin for name, pin in pins.items() if name != "psycopg-binary"}
    assert disagreements(["flask>=99"], pins) == [
        f"flask>=99 (from flask>=99): the lock pins {pins['flask'].version}"
    ]
    assert disagreements(["left-pad>=1"], pins) == [
        "left-pad>=1 (from left-pad>=1) is not in the lock"
    ]
    assert len(disagreements(["psycopg[binary]>=3.2"], without_binary)) == 1
    assert disagreements(["psycopg[binary]>=3.2", "colorama; sys_platform == 'win32'"], pins) == []
