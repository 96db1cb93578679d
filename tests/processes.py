"""Real processes in tests: a command running until the test is done with it, and waiting for
what it should bring about."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER = [sys.executable, "-m", "jobs"]


def free_port() -> int:
    """A loopback port nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(
    command: list[str], env: dict[str, str], stderr: int | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` from the checkout's root, its output discarded (its log too, with `stderr`
    DEVNULL; PIPE to read it); stopped with SIGTERM, as a deploy stops it, unless it already
    ended (a `kill -9`)."""
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    """Until `condition()` holds; fails the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
