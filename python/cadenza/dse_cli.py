"""``cadenza-dse`` (``python -m cadenza.dse_cli``): ``cadenza dse`` sharded over a local process
pool or a running Dask cluster, writing the same report files.

    cadenza-dse models/resnet50.onnx --sweep models/hw/sweep_example.textproto \\
        --dask-scheduler tcp://scheduler:8786 -o resnet50-dse.html --json resnet50-dse.json

Exit codes as ``cadenza dse``: 0 done, 1 bad input, a failed chunk or no feasible design point,
2 bad command line.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from typing import Any, Iterator, Optional, Sequence

from . import _core
from ._dse import DEFAULT_MAX_CANDIDATES, DseError, dse
from ._network import load
from ._search import OBJECTIVES, _write_atomically


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cadenza-dse",
        description="Explores the hardware design points of a sweep file for an ONNX model or "
                    "a MAESTRO .m network, as `cadenza dse` does, in tasks on a local process "
                    "pool or a Dask cluster; writes the same report files.")
    p.add_argument("model", metavar="MODEL.onnx|NETWORK.m")
    p.add_argument("--sweep", required=True, metavar="SWEEP", help="the sweep file")
    p.add_argument("--objective", choices=OBJECTIVES, default="edp")
    p.add_argument("--model", dest="cost_model", choices=("maestro", "exact"), default="maestro",
                   help="the cost model")
    p.add_argument("--max-candidates", type=int, default=DEFAULT_MAX_CANDIDATES, metavar="N",
                   help="candidates kept per layer and template")
    p.add_argument("--area-budget", type=float, metavar="UM2")
    p.add_argument("--power-budget", type=float, metavar="MW")
    p.add_argument("--batch", type=int, metavar="N", help="value of symbolic batch dims")
    p.add_argument("--dim", action="append", default=[], metavar="NAME=N",
                   help="value of a named symbolic dim (repeatable)")
    p.add_argument("--skip-unresolved", action="store_true")
    p.add_argument("-o", "--output", metavar="FILE", help="write the HTML report here")
    p.add_argument("--json", metavar="OUT", help="write the report's JSON here")
    p.add_argument("--csv", metavar="OUT", help="write one CSV row per design point here")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--dask-scheduler", metavar="ADDRESS",
                       help="run the tasks on this running Dask scheduler, e.g. "
                            "tcp://host:8786 (needs cadenza[dask])")
    where.add_argument("--local-workers", type=int, metavar="N",
                       help="a local process pool of N workers (the default, every core)")
    p.add_argument("--chunk", type=int, metavar="GROUPS",
                   help="evaluation groups per task (default: about four tasks per worker)")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="threads per task (default 1; 0: every core of the worker)")
    p.add_argument("--checkpoint", metavar="FILE",
                   help="append each finished chunk to FILE; a rerun with it skips them")
    p.add_argument("--no-resume", action="store_true",
                   help="start --checkpoint's file anew instead of skipping its chunks")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


@contextlib.contextmanager
def _dask_executor(address: str) -> Iterator[Any]:
    try:
        # Untyped, and optional: typed as Any whether or not it is installed.
        distributed: Any = importlib.import_module("distributed")
    except ImportError as e:
        raise _core.InputError("--dask-scheduler needs Dask's distributed package: "
                               "pip install 'cadenza[dask]'") from e
    client = distributed.Client(address)
    try:
        yield client.get_executor()
    finally:
        client.close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        dims = {}
        for item in args.dim:
            name, sep, value = item.partition("=")
            if not sep or not value.isdigit():
                raise _core.InputError(f"--dim {item}: expected NAME=N")
            dims[name] = int(value)
        net = load(args.model, batch=args.batch, dims=dims or None,
                   skip_unresolved=args.skip_unresolved)
        outputs = [(path, kind) for path, kind in ((args.output, "html"), (args.json, "json"),
                                                   (args.csv, "csv")) if path]

        def progress(done: int, total: int) -> None:
            if not args.quiet:
                print(f"\rexploring: {done}/{total} design points", end="", file=sys.stderr,
                      flush=True)

        with contextlib.ExitStack() as stack:
            executor = (stack.enter_context(_dask_executor(args.dask_scheduler))
                        if args.dask_scheduler else None)
            result = dse(net, args.sweep, objective=args.objective, model=args.cost_model,
                         max_candidates=args.max_candidates, area_budget=args.area_budget,
                         power_budget=args.power_budget, executor=executor,
                         workers=args.local_workers, chunk=args.chunk, threads=args.threads,
                         checkpoint=args.checkpoint, resume=not args.no_resume,
                         progress=progress)
        if not args.quiet:
            print(file=sys.stderr)
        documents = {"html": result.to_html, "json": result.to_json, "csv": result.to_csv}
        rendered = [(path, documents[kind]()) for path, kind in outputs]
        to_stdout = any(path == "-" for path, _ in rendered)
        summary = sys.stderr if to_stdout else sys.stdout
        print(result.summary(), end="", file=summary)
        print(f"\nexplored {len(result.points):,} design points in {result.chunks} task(s)",
              file=summary)
        for path, text in rendered:
            if path == "-":
                sys.stdout.write(text)
            else:
                _write_atomically(path, text)
                print(f"wrote {path}", file=summary)
    except (_core.InputError, DseError) as e:
        print(f"cadenza-dse: error: {e}", file=sys.stderr)
        return 1
    if result.best is None:
        print(f"cadenza-dse: error: no design point of {args.sweep} is feasible (see the "
              "infeasible points above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
