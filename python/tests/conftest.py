"""Shared fixtures: the repository's bundled models and hardware files, and the installed
`cadenza` command. The tests run against the installed package (scripts/test-python.sh)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, Iterator

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


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A Dask LocalCluster of 2 single-threaded worker processes (the sharded DSE's tests)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, host="127.0.0.1") as cluster:
        with distributed.Client(cluster) as client:
            yield client
