"""GET /metrics: one endpoint for the whole server, every worker counted, on its own listener.

The real command with two workers; what the metrics say is checked against what the test did
through the public port (HTTP requests, a socket, a chat message)."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import trio
from prometheus_client.parser import text_string_to_metric_families
from trio_websocket import open_websocket_url

from tests.conftest import register
from tests.test_startup import plain_failure, port_taken, socialnet
from tests.test_workers import WORKERS, free_port, open_supervised


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample as (name, sorted labels) -> value."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def total(found: dict, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in found.items() if n == name and wanted <= set(ls))


@pytest.fixture
async def metered(database_url: str, tmp_path):
    metrics_port = free_port()
    address = f"127.0.0.1:{metrics_port}"
    async with open_supervised(database_url, tmp_path, SOCIALNET_METRICS_ADDR=address) as running:
        running.metrics_url = f"http://{address}/metrics"
        yield running


async def scrape_until(url: str, holds) -> dict:
    """Scrape until `holds(samples)`: the gauges and per-frame counters move once a second."""
    async with httpx.AsyncClient() as client:
        with trio.fail_after(20):
            while True:
                found = samples((await client.get(url)).text)
                if holds(found):
                    return found
                await trio.sleep(0.2)  # the next pump; the condition, not the sleep, decides


async def test_one_endpoint_counts_every_worker(metered):
    base = f"http://127.0.0.1:{metered.port}"
    # Several connections, so that both workers serve some (the kernel spreads connections).
    for _ in range(10):
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/api/health")).status_code == 200
    async with httpx.AsyncClient(base_url=base) as alice:
        assert (
            await register(alice, email="alice@example.com", first_name="Alice")
        ).status_code == 201
        group = (
            await alice.post("/api/groups", json={"title": "Metrics", "description": "m"})
        ).json()["group"]
        assert (await alice.get("/api/posts/123456")).status_code == 404
        async with open_websocket_url(
            base.replace("http", "ws") + "/ws",
            extra_headers=[("Cookie", f"sid={alice.cookies['sid']}")],
        ) as ws:
            await ws.send_message(
                json.dumps(
                    {
                        "type": "chat.send",
                        "to": {"group": group["id"]},
                        "body": "hi",
                        "client_msg_id": "m1",
                    }
                )
            )
            while json.loads(await ws.get_message())["type"] != "chat.ack":
                pass
            found = await scrape_until(
                metered.metrics_url,
                lambda f: (
                    total(f, "socialnet_sockets_open") == 1
                    and total(f, "socialnet_frames_in_total") >= 1
                    and total(f, "socialnet_frames_out_total") >= 1
                ),
            )
    http = "socialnet_http_request_seconds_count"
    assert total(found, http, route="/api/health", method="GET", status="200") == 10
    assert total(found, http, route="/api/auth/register", method="POST", status="201") == 1
    # The URL rule, never the raw path: a label per post id would grow without end.
    assert total(found, http, route="/api/posts/<id:post_id>", method="GET", status="404") == 1
    assert total(found, http, route="/ws", status="101") == 1
    assert total(found, "socialnet_chat_messages_stored_total") == 1
    assert total(found, "socialnet_chat_writer_batch_size_count") == 1
    assert total(found, "socialnet_db_lanes") == WORKERS * 10
    assert total(found, "socialnet_db_call_seconds_count") > 0
    assert total(found, "socialnet_db_crossing_seconds_count") > 0
    assert total(found, "socialnet_user_sockets_at_open_count") == 1
    found = await scrape_until(
        metered.metrics_url,
        # Every worker routes every event (each has sockets of its own to serve).
        lambda f: (
            total(f, "socialnet_routed_events_total", type="message") == WORKERS
            and total(f, "socialnet_sockets_open") == 0
        ),
    )
    assert total(found, "socialnet_bus_lag_seconds_count") == WORKERS
    assert total(found, "socialnet_mailbox_overflows_total") == 0
    # Never on the public port.
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/metrics")).status_code == 404


def test_a_metrics_port_in_use_is_one_line(database_url, tmp_path):
    with port_taken() as taken:
        result = socialnet(
            "serve", "--port", str(free_port()), "--data-dir", str(tmp_path),
            env={"DATABASE_URL": database_url, "SOCIALNET_METRICS_ADDR": f"127.0.0.1:{taken}"},
        )  # fmt: skip
    assert f"cannot listen on 127.0.0.1:{taken}: the port is already in use" in plain_failure(
        result
    )


def test_a_metrics_address_that_is_not_one_is_one_line(tmp_path):
    result = socialnet("migrate", env={"SOCIALNET_METRICS_ADDR": "9100"})
    assert "SOCIALNET_METRICS_ADDR must be host:port" in plain_failure(result)


def test_every_metric_is_explained_and_on_the_dashboard():
    from server.config import REPO_ROOT

    source = (REPO_ROOT / "server" / "metrics.py").read_text()
    names = set(re.findall(r'"(socialnet_[a-z_]+)"', source))
    assert len(names) == 16
    explained = (REPO_ROOT / "docs" / "operations.md").read_text()
    dashboard = json.loads((REPO_ROOT / "docs" / "grafana-dashboard.json").read_text())
    queries = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for name in names:
        # A counter is exported with `_total` after its name.
        assert f"`{name}`" in explained or f"`{name}_total`" in explained, name
        assert name in queries, name
