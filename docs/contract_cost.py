"""The cost of the declared contract per request (docs/benchmarks.md, "The contract").

Serves two checkouts at once on one migrated database (one worker each, rate limits off) and
times sequential requests from one keep-alive httpx client per server, alternating blocks of
requests between the two so that changes in the machine's load fall on both (other work shares
these 2 cores); the figure is the median over blocks of the paired difference:

    .venv/bin/python docs/contract_cost.py BEFORE_CHECKOUT [--blocks 40] [--block 100]

Routes: GET /api/follow-requests?limit=5 and GET /api/feed?limit=20 (declared query strings,
parsed by the declaration: the route is wrapped) and GET /api/auth/me (nothing to read: not
wrapped, so no change is expected).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests import postgres  # noqa: E402

ROUTES = ("/api/follow-requests?limit=5", "/api/auth/me", "/api/feed?limit=20")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(checkout: Path, url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SOCIALNET_RATE_LIMITS": "off",
        "SOCIALNET_CLIENT_DIR": "",
        "SOCIALNET_LOG_LEVEL": "warning",
        "PYTHONPATH": str(checkout),
    }
    command = [sys.executable, "-m", "server", "serve", "--port", str(port), "--workers", "1"]
    return subprocess.Popen(command, cwd=checkout, env=env, stdout=subprocess.DEVNULL)


def wait_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} did not come up")


def sign_up(client: httpx.Client) -> None:
    form = {
        "email": "bench@example.com",
        "password": "correct horse battery",
        "first_name": "Bench",
        "last_name": "Mark",
        "date_of_birth": "1990-01-01",
    }
    response = client.post("/api/auth/register", data=form, files={"avatar": ("", b"")})
    if response.status_code != 201:
        login = {"email": form["email"], "password": form["password"]}
        assert client.post("/api/auth/login", json=login).status_code == 200


def block(client: httpx.Client, route: str, size: int) -> float:
    """Mean milliseconds per request over `size` requests."""
    started = time.perf_counter()
    for _ in range(size):
        assert client.get(route).status_code == 200
    return (time.perf_counter() - started) / size * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path)
    parser.add_argument("--blocks", type=int, default=40)
    parser.add_argument("--block", type=int, default=100)
    args = parser.parse_args()
    after = Path(__file__).resolve().parents[1]
    name = f"socialnet_contract_cost_{os.getpid()}"
    url = postgres.create_migrated_database(name)
    processes = []
    try:
        clients = {}
        for label, checkout in (("before", args.before), ("after", after)):
            port = free_port()
            processes.append(serve(checkout.resolve(), url, port))
            base = f"http://127.0.0.1:{port}"
            wait_up(base)
            clients[label] = httpx.Client(base_url=base, timeout=10)
        sign_up(clients["before"])
        sign_up(clients["after"])
        for route in ROUTES:
            for client in clients.values():
                block(client, route, 200)  # warm up
            timings: dict[str, list[float]] = {"before": [], "after": []}
            for index in range(args.blocks):
                order = ("before", "after") if index % 2 == 0 else ("after", "before")
                for label in order:
                    timings[label].append(block(clients[label], route, args.block))
            differences = [a - b for a, b in zip(timings["after"], timings["before"], strict=True)]
            print(
                f"{route:30} before {statistics.median(timings['before']):.3f} ms  "
                f"after {statistics.median(timings['after']):.3f} ms  "
                f"paired difference {statistics.median(differences) * 1000:+.1f} µs "
                f"(quartiles {statistics.quantiles(differences, n=4)[0] * 1000:+.1f} / "
                f"{statistics.quantiles(differences, n=4)[2] * 1000:+.1f} µs)"
            )
        for client in clients.values():
            client.close()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
        postgres.drop_database(name)


if __name__ == "__main__":
    main()
