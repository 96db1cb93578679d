"""The technician's app keeps its files in a folder of the test's own, and a day of work:
a company, two technicians who work every day, a customer with a furnace, and visits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from tests.conftest import Client, TestDatabase, make_settings
from tests.factories import Factory
from tests.technician.support import Day, make_day


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def app(database: TestDatabase, files_dir: Path) -> Iterator[Flask]:
    application = create_app(make_settings(database, files_dir=str(files_dir)))
    application.test_client_class = Client
    yield application
    application.extensions["plenum.pool"].close()


@pytest.fixture
def day(make: Factory) -> Day:
    return make_day(make)


@pytest.fixture
def tech(app: Flask, day: Day) -> Client:
    """The first technician, signed in."""
    signed_in: Client = app.test_client()  # type: ignore[assignment]
    signed_in.sign_in(day.tech.email)
    return signed_in
