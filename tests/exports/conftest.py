"""The export tests' own files folder, the app using it, and the worker's keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app, crypto
from app.integrations.files import LocalFolderFiles
from tests.conftest import Client, TestDatabase, make_settings


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
def store(files_dir: Path) -> LocalFolderFiles:
    return LocalFolderFiles(files_dir)


@pytest.fixture
def keyring(database: TestDatabase) -> crypto.Keyring:
    return crypto.keyring_of(make_settings(database))
