"""A crowd of pollers (big screens, audience phones) in a process of its own, on one asyncio loop.

Why not a thread per phone beside the judges: 300 threads of http.client in the bench's own process
took more CPU than the server's answers to them, and every judge's submit was timed while waiting for
that process's GIL, so the bench measured its own queue. Here each poll is a raw HTTP/1.1 request on a
new connection (as a sync gunicorn worker answers: no keep-alive), timed from connecting to the last
byte, and the crowd's process reports its own CPU so a reader can see what the load generator took
from the machine.

    crowd = PollCrowd(host, port, paths, interval=1.0, seed=2026)  # paths: [(kind, path), ...] per poller
    crowd.start(); ...; result = crowd.stop()  # CrowdResult: latencies per kind, status counts, errors, cpu
"""
from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import resource
import time
from dataclasses import dataclass, field


@dataclass
class CrowdResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    cpu_seconds: float = 0.0
    requests: int = 0


def _check_body(kind: str, body: bytes) -> str | None:
    """A problem with a 200's body as the page script would see it, else None."""
    try:
        state = json.loads(body)
    except ValueError:
        return "a body that is not JSON"
    if state.get("reveal") is None and b'"final"' in body:
        return "a final score outside a reveal"
    return None


class _OneGet(asyncio.Protocol):
    """One GET on its own connection, read to the end (Connection: close): a Protocol rather than
    streams, the cheapest asyncio client per request (the crowd shares the server's cores)."""

    def __init__(self, request: bytes, done: asyncio.Future):
        self.request, self.done, self.chunks = request, done, []

    def connection_made(self, transport):
        transport.write(self.request)

    def data_received(self, data):
        self.chunks.append(data)

    def connection_lost(self, exc):
        if not self.done.done():
            if exc is None:
                self.done.set_result(b"".join(self.chunks))
            else:
                self.done.set_exception(exc)


async def _poll_once(host: str, port: int, path: str, kind: str, etag: str | None):
    """(status, etag, body, seconds) of one GET with If-None-Match, on its own connection."""
    loop = asyncio.get_running_loop()
    head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nAccept: application/json\r\n" \
           f"X-Bench-Kind: {kind}\r\n" + (f"If-None-Match: {etag}\r\n" if etag else "") + "\r\n"
    started = time.perf_counter()
    done = loop.create_future()
    transport, _protocol = await loop.create_connection(lambda: _OneGet(head.encode("latin-1"), done), host, port)
    try:
        raw = await done
    finally:
        transport.close()
    seconds = time.perf_counter() - started
    header_block, _, body = raw.partition(b"\r\n\r\n")
    lines = header_block.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    new_etag = etag
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "etag":
            new_etag = value.strip()
    return status, new_etag, body, seconds


async def _poller(host, port, kind, path, interval, rng, result: CrowdResult, stopping: asyncio.Event):
    etag = None
    await asyncio.sleep(rng.uniform(0, interval))  # phones do not all poll in the same instant
    latencies = result.latencies.setdefault(kind, [])
    while not stopping.is_set():
        started = time.monotonic()
        try:
            status, new_etag, body, seconds = await _poll_once(host, port, path, kind, etag)
        except (OSError, ValueError, IndexError) as error:
            result.errors.append((kind, f"{type(error).__name__}: {error}"[:300]))
        else:
            result.requests += 1
            result.statuses[status] = result.statuses.get(status, 0) + 1
            latencies.append(seconds)
            if status == 200:
                etag = new_etag
                problem = _check_body(kind, body)
                if problem:
                    result.errors.append((kind, problem))
            elif status != 304:
                result.errors.append((kind, f"status {status}"))
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


async def _crowd(host, port, paths, interval, seed, stop_flag) -> CrowdResult:
    result = CrowdResult()
    stopping = asyncio.Event()
    rng = random.Random(seed)
    tasks = [asyncio.create_task(_poller(host, port, kind, path, interval, random.Random(rng.random()), result,
                                         stopping))
             for kind, path in paths]
    while not stop_flag.is_set():
        await asyncio.sleep(0.1)
    stopping.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return result


def _main(host, port, paths, interval, seed, stop_flag, out) -> None:
    result = asyncio.run(_crowd(host, port, paths, interval, seed, stop_flag))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    out.put(result)


class PollCrowd:
    """The crowd's process: start() begins polling, stop() ends it and returns its CrowdResult."""

    def __init__(self, host: str, port: int, paths: list[tuple[str, str]], *, interval: float, seed: int):
        context = multiprocessing.get_context("spawn")  # the bench's threads are not forked into it
        self._stop, self._out = context.Event(), context.Queue()
        self._process = context.Process(target=_main, args=(host, port, paths, interval, seed, self._stop,
                                                            self._out), daemon=True)

    def start(self) -> None:
        self._process.start()

    def stop(self, timeout: float = 60.0) -> CrowdResult:
        self._stop.set()
        result = self._out.get(timeout=timeout)
        self._process.join(timeout)
        return result
