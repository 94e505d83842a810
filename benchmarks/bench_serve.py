"""A bounded load test of the HTTP service on loopback, against the in-process Scorer doing the
same work in the same run.

The server: ``akhlak-levels serve`` (one uvicorn process, the bundled questionnaires, no token)
in a child process on a free port of 127.0.0.1; nothing listens beyond loopback. The clients:
``--clients`` (16) threads of this process, each with its own keep-alive connection
(``http.client``), sending request bodies encoded beforehand. The data:
``simulate(socio-emotional-levels, 2000, random_state=0, missing=0.1)`` as answers dicts keyed by
item id (every third answer an Indonesian label, as in bench_embed.py).

- **score one**: ``--requests`` (2,000) POSTs to ``/score``, one respondent each, shared out among
  the clients; each request timed alone from send to the last byte of the answer.
- **batch of 100**: ``--batches`` (200) POSTs to ``/score-batch`` of 100 respondents each.

Reported per phase and round (``--rounds`` 3): requests per second (requests over the phase's
wall time), p50 and p99 latency in milliseconds, and the server's time per request (1 / the
rate: with 16 clients queueing, the latency is mostly waiting); the p50 latency of one client
alone (300 requests, 30 batches); and the **floor**: the in-process ``Scorer.score_one`` (median
per call over the same respondents) and ``Scorer.score_many`` of the same batches of 100 (median
per call), with the ratios time per request / floor and one client's p50 / floor; beside it the
service's own work without HTTP (the body parsed and checked as the service does, scored, the
answer encoded), which splits the rest into JSON work and the HTTP stack (uvicorn, Starlette). Peak RSS of the server
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` after it stops) and the load average
before and after. The test stops by itself: fixed request counts, a 30 s timeout per request.

Usage: python benchmarks/bench_serve.py [--requests 2000] [--batches 200] [--clients 16] [--rounds 3]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

import numpy as np

SEL = "socio-emotional-levels"


def _answers(n: int) -> list[dict]:
    import akhlak_levels as al

    q = al.load_questionnaire(SEL)
    responses, _ = al.simulate(q, n, random_state=0, missing=0.1)
    records = []
    for row in responses.values:
        rec = {}
        for j, (it, v) in enumerate(zip(q.items, row)):
            if not np.isnan(v):
                rec[it.id] = it.options[int(v) - 1]["id"] if j % 3 == 2 else int(v)
        records.append(rec)
    return records


def _start(port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "AKHLAK_LEVELS_TOKEN"}
    proc = subprocess.Popen([sys.executable, "-m", "akhlak_levels", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("the server did not start")


def _load(port: int, path: str, bodies: list[bytes], clients: int) -> dict:
    """Send every body once, ``clients`` at a time; latencies in ms and requests per second."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[int] = []

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json"}
        for body in bodies[k::clients]:
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            latencies[k].append((time.perf_counter() - t0) * 1000)
            if resp.status != 200:
                failures.append(resp.status)
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    every = sorted(x for lat in latencies for x in lat)
    if failures:
        sys.exit(f"{len(failures)} requests failed: {failures[:5]}")
    return {"requests_per_s": round(len(every) / wall, 1), "p50_ms": round(float(np.percentile(every, 50)), 3),
            "p99_ms": round(float(np.percentile(every, 99)), 3), "wall_s": round(wall, 2)}


def _floor(records: list[dict], batches: list[list[dict]], one_bodies: list[bytes], batch_bodies: list[bytes]) -> dict:
    """The in-process Scorer on the same work (the floor), and the service's own pipeline without
    HTTP: the body parsed as the service parses it, scored, the answer encoded."""
    import akhlak_levels as al
    from akhlak_levels.server._errors import parse_json
    from akhlak_levels.server._handlers import Limits, score_batch, score_one

    scorer = al.Scorer(SEL)
    limits = Limits(2**21, 1000)

    def timed(work, items) -> float:
        times = []
        for item in items:
            t0 = time.perf_counter_ns()
            work(item)
            times.append(time.perf_counter_ns() - t0)
        return statistics.median(times) / 1e6

    def encode(doc) -> bytes:
        return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()

    return {"score_one_ms": timed(scorer.score_one, records), "score_many_100_ms": timed(scorer.score_many, batches),
            "pipeline_one_ms": timed(lambda b: encode(score_one(scorer, parse_json(b))), one_bodies),
            "pipeline_100_ms": timed(lambda b: encode(score_batch(scorer, parse_json(b), limits)), batch_bodies)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--batches", type=int, default=200)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    load_before = os.getloadavg()
    records = _answers(max(args.requests, 2000))
    one_bodies = [json.dumps({"answers": r}).encode() for r in records[: args.requests]]
    batches = [records[(i * 100) % 1900:(i * 100) % 1900 + 100] for i in range(args.batches)]
    batch_bodies = [json.dumps({"respondents": [{"respondent_id": f"r{j}", "answers": r} for j, r in enumerate(b)]}).encode()
                    for b in batches]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = _start(port)
    rounds = []
    try:
        _load(port, f"/v1/questionnaires/{SEL}/score", one_bodies[:200], args.clients)  # warm-up
        for _ in range(args.rounds):
            rounds.append({
                "score_one": _load(port, f"/v1/questionnaires/{SEL}/score", one_bodies, args.clients),
                "batch_100": _load(port, f"/v1/questionnaires/{SEL}/score-batch", batch_bodies, args.clients),
                "score_one_1_client": _load(port, f"/v1/questionnaires/{SEL}/score", one_bodies[:300], 1),
                "batch_100_1_client": _load(port, f"/v1/questionnaires/{SEL}/score-batch", batch_bodies[:30], 1),
                "floor": _floor(records[: args.requests], batches, one_bodies, batch_bodies),
            })
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    def summary(phase: str, floor_key: str, pipeline_key: str) -> dict:
        rps = [r[phase]["requests_per_s"] for r in rounds]
        p50 = [r[phase]["p50_ms"] for r in rounds]
        p99 = [r[phase]["p99_ms"] for r in rounds]
        floor = statistics.median(r["floor"][floor_key] for r in rounds)
        pipeline = statistics.median(r["floor"][pipeline_key] for r in rounds)
        alone = statistics.median(r[phase + "_1_client"]["p50_ms"] for r in rounds)
        return {"requests_per_s_median": statistics.median(rps), "requests_per_s_range": [min(rps), max(rps)],
                "p50_ms_median": statistics.median(p50), "p99_ms_median": statistics.median(p99),
                "p99_ms_range": [min(p99), max(p99)],
                "server_ms_per_request": round(1000 / statistics.median(rps), 3),
                "p50_ms_1_client": alone, "floor_ms": round(floor, 4), "pipeline_without_http_ms": round(pipeline, 4),
                "ms_per_request_over_floor": round(1000 / statistics.median(rps) / floor, 1),
                "p50_1_client_over_floor": round(alone / floor, 1)}

    print(json.dumps({
        "clients": args.clients, "requests": args.requests, "batches": args.batches, "rounds": args.rounds,
        "score_one": summary("score_one", "score_one_ms", "pipeline_one_ms"),
        "batch_100": summary("batch_100", "score_many_100_ms", "pipeline_100_ms"),
        "per_round": rounds, "server_peak_rss_mb": round(peak, 1),
        "loadavg_before": [round(x, 2) for x in load_before], "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(), "python": platform.python_version(),
    }))


if __name__ == "__main__":
    main()
