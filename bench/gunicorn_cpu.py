"""gunicorn config for the benches: each worker accounts its own CPU time per request kind.

    gunicorn -c bench/gunicorn_cpu.py ...   with BENCH_CPU_DIR=<dir> in the environment

A sync worker handles one request at a time, so the worker's CPU (getrusage of itself) between the
end of one request and the end of the next is everything that request cost: accepting, parsing,
the application, writing the response. post_request adds that delta to the request's kind (the
client's X-Bench-Kind header, else the method and path) and every second, and when the worker exits,
writes its totals to BENCH_CPU_DIR/worker-<pid>.json, which read_totals() sums over the workers.
With --threads > 1 requests overlap and the deltas are only approximate.
"""
import json
import os
import resource
import time
from collections import defaultdict
from pathlib import Path

_totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # kind -> [requests, cpu seconds]
_last = {"cpu": None, "written": 0.0}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _kind(req) -> str:
    for name, value in req.headers:
        if name == "X-BENCH-KIND":
            return value
    return f"{req.method} {req.path}"


def _write() -> None:
    folder = os.environ.get("BENCH_CPU_DIR")
    if not folder:
        return
    path = Path(folder) / f"worker-{os.getpid()}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(dict(_totals)))
    os.replace(temporary, path)
    _last["written"] = time.monotonic()


def post_worker_init(worker):
    _last["cpu"] = _cpu()
    _last["served"] = 0


def post_request(worker, req, environ, resp):
    now = _cpu()
    _last["served"] = _last.get("served", 0) + 1
    # A worker's first request also imports and starts the app (quiz_load's app loads it lazily,
    # after the fork): that is start-up, not the cost of a request of that kind.
    if _last["cpu"] is not None and _last["served"] > 1:
        entry = _totals[_kind(req)]
        entry[0] += 1
        entry[1] += now - _last["cpu"]
    _last["cpu"] = now
    if time.monotonic() - _last["written"] > 1.0:
        _write()


def worker_exit(server, worker):
    _write()


def read_totals(folder) -> dict[str, tuple[int, float]]:
    """Sum of every worker's file: kind -> (requests, CPU seconds)."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for path in Path(folder).glob("worker-*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for kind, (count, seconds) in data.items():
            totals[kind][0] += count
            totals[kind][1] += seconds
    return {kind: (int(count), seconds) for kind, (count, seconds) in totals.items()}
