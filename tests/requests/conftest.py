"""Request photos are kept in the test app's files folder: removed again after each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.conftest import TestDatabase, make_settings


@pytest.fixture(autouse=True)
def _photos_removed(database: TestDatabase) -> Iterator[None]:
    yield
    shutil.rmtree(make_settings(database).files_dir, ignore_errors=True)
