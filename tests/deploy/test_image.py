"""The image fly.toml builds runs what fly.toml says: its default command is the web process,
and it installs requirements.lock (hashes checked), then the app adding nothing."""

from __future__ import annotations

import json
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLY = tomllib.loads((ROOT / "fly.toml").read_text())


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) of each Dockerfile line, continuations joined."""
    text = (ROOT / FLY["build"]["dockerfile"]).read_text().replace("\\\n", " ")
    instructions = []
    for line in (line.strip() for line in text.splitlines()):
        if line and not line.startswith("#"):
            name, _, arguments = line.partition(" ")
            instructions.append((name, arguments.strip()))
    return instructions


def test_the_images_default_command_is_flys_web_process():
    (command,) = [json.loads(args) for name, args in dockerfile_instructions() if name == "CMD"]
    assert command == shlex.split(FLY["processes"]["web"])


def test_the_image_installs_the_lock_with_hashes_then_the_app_without_dependencies():
    runs = [" ".join(args.split()) for name, args in dockerfile_instructions() if name == "RUN"]
    installs = [run for run in runs if run.startswith("pip install")]
    assert installs[0] == "pip install --require-hashes -r requirements.lock"
    assert installs[1].startswith("pip install --no-deps --no-build-isolation -e . ")
    assert len(installs) == 2
