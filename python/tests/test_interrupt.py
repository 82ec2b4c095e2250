"""cadenza.search as a good citizen: Ctrl-C stops it promptly, progress reaches a callback (and
tqdm), and the thread count follows threads= and OMP_NUM_THREADS without changing the answer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

import cadenza
from conftest import MODELS

RESNET = MODELS / "resnet50.onnx"

# ResNet-50 under the exact model runs for minutes: a search that only an interrupt ends.
INTERRUPTED = f"""
import sys, time
import cadenza
net = cadenza.load({str(RESNET)!r})
print("searching", flush=True)
try:
    cadenza.search(net, model="exact", threads=2)
except KeyboardInterrupt:
    print("interrupted", time.perf_counter(), flush=True)
else:
    sys.exit("the search ended by itself")
# The interpreter is fine: another search runs to the end.
small = cadenza.search(net, model="maestro", max_candidates=20)
print("after", small.totals.layers, flush=True)
"""


def test_ctrl_c_stops_a_long_search_promptly() -> None:
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "searching"
        time.sleep(1.0)
        sent = time.perf_counter()
        child.send_signal(signal.SIGINT)
        interrupted = child.stdout.readline().split()
        assert interrupted and interrupted[0] == "interrupted", child.communicate(timeout=60)
        # perf_counter is CLOCK_MONOTONIC on Linux: comparable across processes.
        assert float(interrupted[1]) - sent < 3.0
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    assert out.split() == ["after", "54"]


@pytest.fixture(scope="module")
def resnet() -> cadenza.Network:
    return cadenza.load(RESNET)


def test_progress_callback(resnet: cadenza.Network) -> None:
    calls: list[tuple[int, int]] = []
    callers: set[int] = set()

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        callers.add(threading.get_ident())

    result = cadenza.search(resnet, model="maestro", threads=1, max_candidates=2000, progress=progress)
    total = result.candidates_evaluated
    assert len(calls) >= 3, calls  # a few 50 ms polls, then the end
    assert all(t == total for _, t in calls)
    assert [d for d, _ in calls] == sorted(set(d for d, _ in calls))  # rising, no repeats
    assert calls[-1] == (total, total)
    assert callers == {threading.get_ident()}  # the calling thread, with the GIL
    plain = cadenza.search(resnet, model="maestro", threads=1, max_candidates=2000)
    assert plain.totals == result.totals


def test_an_exception_from_the_callback_stops_the_search(resnet: cadenza.Network) -> None:
    class Stop(Exception):
        pass

    calls: list[int] = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        raise Stop

    start = time.perf_counter()
    with pytest.raises(Stop):
        cadenza.search(resnet, model="maestro", threads=1, max_candidates=2000, progress=progress)
    took = time.perf_counter() - start
    assert len(calls) == 1
    full = time.perf_counter()
    cadenza.search(resnet, model="maestro", threads=1, max_candidates=2000)
    assert took < (time.perf_counter() - full) * 0.8, "the search was not stopped"


def test_progress_argument_errors(resnet: cadenza.Network) -> None:
    with pytest.raises(TypeError, match="progress"):
        cadenza.search(resnet, progress=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="threads"):
        cadenza.search(resnet, threads=1.5)  # type: ignore[arg-type]


def test_progress_true_shows_a_tqdm_bar(resnet: cadenza.Network,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    cadenza.search(resnet, model="maestro", max_candidates=2000, progress=True)
    err = capsys.readouterr().err
    assert "searching" in err and "100%" in err, err


# Records the threads of the process while the search runs (the engine's OpenMP team: its worker
# thread is the team's first), and the answer.
THREADS = f"""
import json, os, sys
import cadenza
net = cadenza.load({str(RESNET)!r})
before = len(os.listdir("/proc/self/task"))
peak = [before]
def progress(done, total):
    peak[0] = max(peak[0], len(os.listdir("/proc/self/task")))
threads = int(sys.argv[1]) if len(sys.argv) > 1 else None
result = cadenza.search(net, model="maestro", threads=threads, max_candidates=2000, progress=progress)
print(json.dumps({{"threads": result.threads, "extra": peak[0] - before,
                   "answer": [[l.dataflow, l.params_text, l.runtime_cycles, l.energy_pj]
                              for l in result.layers]}}))
"""


def run_threads(omp: str, *args: str) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": omp}
    run = subprocess.run([sys.executable, "-c", THREADS, *args], env=env, check=True,
                         capture_output=True, text=True)
    data: dict[str, Any] = json.loads(run.stdout)
    return data


def test_threads_follow_the_argument_and_omp_num_threads() -> None:
    one = run_threads("1")
    three = run_threads("3")
    argument = run_threads("1", "2")
    assert (one["threads"], three["threads"], argument["threads"]) == (1, 3, 2)
    # The search's own threads: the worker (the team's first) and the rest of the team.
    assert (one["extra"], three["extra"], argument["extra"]) == (1, 3, 2)
    assert one["answer"] == three["answer"] == argument["answer"]
