"""Liveness and readiness, beside API.md's `GET /api/health`."""

from __future__ import annotations

from server.config import product_version


async def test_live_says_the_process_serves_and_its_version(server, new_client):
    response = await new_client().get("/api/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": product_version()}
    assert product_version() != "unknown"


async def test_ready_needs_the_database_and_the_bus(server, new_client):
    client = new_client()
    ready = await client.get("/api/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "bus": "ok"}

    server.router.bus_lost()  # what the bus subscriber does when its connection drops
    try:
        not_ready = await client.get("/api/health/ready")
        assert not_ready.status_code == 503
        assert not_ready.json() == {
            "error": {"code": "unavailable", "message": "Not ready: bus not listening."},
            "database": "ok",
            "bus": "not listening",
        }
        assert (await client.get("/api/health/live")).status_code == 200  # alive all the same
        assert (await client.get("/api/health")).json() == {"status": "ok"}  # as API.md says
    finally:
        server.router.bus_connected()
    assert (await client.get("/api/health/ready")).status_code == 200
