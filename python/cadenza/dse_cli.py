"""``cadenza-dse`` (``python -m cadenza.dse_cli``): ``cadenza dse`` sharded over a local process
pool or a running Dask cluster, writing the same report files.

    cadenza-dse models/resnet50.onnx --sweep models/hw/sweep_example.textproto \\
        --dask-scheduler tcp://scheduler:8786 -o resnet50-dse.html --json resnet50-dse.json

Several models explore every design point for each and write the aggregate report (-o, --json,
--csv) and, with --network-reports DIR, each network's own; --sample explores a sample of the
sweep (random, lhs or tpe) of --budget points.

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
from ._dse_multi import MultiDseResult
from ._network import load
from ._search import OBJECTIVES, _write_atomically


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cadenza-dse",
        description="Explores the hardware design points of a sweep file for ONNX models or "
                    "MAESTRO .m networks, as `cadenza dse` does for one, in tasks on a local "
                    "process pool or a Dask cluster; writes the same report files for one "
                    "model, the aggregate report for several.")
    p.add_argument("model", metavar="MODEL.onnx|NETWORK.m", nargs="+")
    p.add_argument("--sweep", required=True, metavar="SWEEP", help="the sweep file")
    p.add_argument("--objective", choices=OBJECTIVES, default="edp")
    p.add_argument("--model", dest="cost_model", choices=("maestro", "exact"), default="exact",
                   help="the cost model")
    p.add_argument("--max-candidates", type=int, default=DEFAULT_MAX_CANDIDATES, metavar="N",
                   help="candidates kept per layer and template")
    p.add_argument("--area-budget", type=float, metavar="UM2")
    p.add_argument("--power-budget", type=float, metavar="MW")
    p.add_argument("--latency-slack", metavar="PCT",
                   help="with --objective energy or edp: choose per layer only among the "
                        "mappings within PCT of its fastest (e.g. 5%%)")
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
    p.add_argument("--weights", metavar="W,W,...",
                   help="one weight per model for the aggregate objective (default 1 each)")
    p.add_argument("--network-reports", metavar="DIR",
                   help="with several models: write each one's HTML and JSON report into DIR")
    p.add_argument("--sample", choices=("random", "lhs", "tpe"),
                   help="explore a sample of the sweep instead of every point")
    p.add_argument("--budget", type=int, metavar="N", help="design points --sample explores")
    p.add_argument("--seed", type=int, default=0, help="--sample's seed (default 0)")
    p.add_argument("--whole-groups", action="store_true",
                   help="explore every point of each sampled point's evaluation group too")
    p.add_argument("--tpe-batch", type=int, default=8, metavar="N",
                   help="points --sample tpe asks a round (default 8)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def _fraction_of_percent(text: Optional[str]) -> Optional[float]:
    """--latency-slack's "5%" (or "5") as a fraction, as `cadenza dse` reads it."""
    if text is None:
        return None
    try:
        percent = float(text[:-1] if text.endswith("%") else text)
    except ValueError:
        percent = -1.0
    if not percent >= 0 or percent == float("inf"):
        raise _core.InputError("--latency-slack needs a percentage of 0 or more, e.g. 5%")
    return percent / 100


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
        nets = [load(m, batch=args.batch, dims=dims or None, skip_unresolved=args.skip_unresolved)
                for m in args.model]
        weights = None
        if args.weights is not None:
            try:
                weights = [float(w) for w in args.weights.split(",")]
            except ValueError as e:
                raise _core.InputError(f"--weights {args.weights}: expected numbers separated "
                                       "by commas") from e
        if args.network_reports and len(nets) == 1:
            raise _core.InputError("--network-reports needs several models")
        outputs = [(path, kind) for path, kind in ((args.output, "html"), (args.json, "json"),
                                                   (args.csv, "csv")) if path]

        def progress(done: int, total: int) -> None:
            if not args.quiet:
                print(f"\rexploring: {done}/{total} design points", end="", file=sys.stderr,
                      flush=True)

        with contextlib.ExitStack() as stack:
            executor = (stack.enter_context(_dask_executor(args.dask_scheduler))
                        if args.dask_scheduler else None)
            result = dse(nets[0] if len(nets) == 1 else nets, args.sweep, objective=args.objective, model=args.cost_model,
                         max_candidates=args.max_candidates, area_budget=args.area_budget,
                         power_budget=args.power_budget, executor=executor,
                         workers=args.local_workers, chunk=args.chunk, threads=args.threads,
                         checkpoint=args.checkpoint, resume=not args.no_resume,
                         progress=progress, weights=weights, sample=args.sample,
                         budget=args.budget, seed=args.seed, batch=args.tpe_batch,
                         whole_groups=args.whole_groups,
                         latency_slack=_fraction_of_percent(args.latency_slack))
        if not args.quiet:
            print(file=sys.stderr)
        documents = {"html": result.to_html, "json": result.to_json, "csv": result.to_csv}
        rendered = [(path, documents[kind]()) for path, kind in outputs]
        to_stdout = any(path == "-" for path, _ in rendered)
        summary = sys.stderr if to_stdout else sys.stdout
        print(result.summary(), end="", file=summary)
        several = isinstance(result, MultiDseResult)
        chunks = result.networks[0].chunks if several else result.chunks
        print(f"\nexplored {len(result.points):,} design points"
              + (f" for {len(nets)} networks" if several else "") + f" in {chunks} task(s)",
              file=summary)
        if several and args.network_reports:
            os.makedirs(args.network_reports, exist_ok=True)
            for i, (net, own) in enumerate(zip(nets, result.networks)):
                stem = os.path.join(args.network_reports,
                                    f"{i}-{os.path.splitext(os.path.basename(net.path))[0]}")
                own.to_html(stem + ".html")
                _write_atomically(stem + ".json", own.to_json())
                print(f"wrote {stem}.html and {stem}.json", file=summary)
        for path, text in rendered:
            if path == "-":
                sys.stdout.write(text)
            else:
                _write_atomically(path, text)
                print(f"wrote {path}", file=summary)
    except (_core.InputError, DseError) as e:
        print(f"cadenza-dse: error: {e}", file=sys.stderr)
        return 1
    if (result.best_weighted if isinstance(result, MultiDseResult) else result.best) is None:
        print(f"cadenza-dse: error: no design point of {args.sweep} is feasible (see the "
              "infeasible points above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
