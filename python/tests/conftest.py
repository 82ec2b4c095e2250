"""Shared fixtures: the repository's bundled models and hardware files, and the installed
`cadenza` command. The tests run against the installed package (scripts/test-python.sh)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"
DATA = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def cadenza_command() -> str:
    """The `cadenza` executable the package installed beside this interpreter."""
    candidate = Path(sys.executable).parent / "cadenza"
    found = str(candidate) if candidate.exists() else shutil.which("cadenza")
    assert found, "the cadenza command is not installed beside the interpreter"
    assert os.access(found, os.X_OK)
    return found
