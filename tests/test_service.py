"""`socialnet serve` as a real process: it serves, and a signal stops it cleanly and quickly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest
import trio

SERVING = re.compile(rb"serving on (http://\S+)")


async def _read_until_serving(stream, captured: bytearray) -> str:
    while True:
        chunk = await stream.receive_some(4096)
        if not chunk:
            raise AssertionError(f"server exited before serving:\n{captured.decode()}")
        captured.extend(chunk)
        if match := SERVING.search(captured):
            return match.group(1).decode()


async def _drain(stream, captured: bytearray) -> None:
    while chunk := await stream.receive_some(4096):
        captured.extend(chunk)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_serve_stops_cleanly_on_a_signal(database_url, tmp_path, signum):
    env = {**os.environ, "DATABASE_URL": database_url, "SOCIALNET_CLIENT_DIR": ""}
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "server", "serve", "--port", "0", "--data-dir", str(tmp_path)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    captured = bytearray()
    try:
        with trio.fail_after(30):
            url = await _read_until_serving(process.stderr, captured)
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/api/health")).json() == {"status": "ok"}
        process.send_signal(signum)
        with trio.fail_after(10):  # "within a few seconds"
            await _drain(process.stderr, captured)
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = captured.decode()
    assert code == 0, log
    assert "Traceback" not in log, log
    assert "stopped" in log


async def test_each_request_is_one_json_line_with_its_request_id(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "SOCIALNET_CLIENT_DIR": ""}
    command = [sys.executable, "-m", "server", "serve", "--port", "0"]
    command += ["--data-dir", str(tmp_path), "--log-format", "json", "--log-level", "info"]
    process = await trio.lowlevel.open_process(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
    )
    captured = bytearray()
    try:
        with trio.fail_after(30):
            url = await _read_until_serving(process.stdout, captured)
        async with httpx.AsyncClient(base_url=url.rstrip('"}')) as client:
            response = await client.get("/api/health")
        request_id = response.headers["x-request-id"]
        process.send_signal(signal.SIGTERM)
        with trio.fail_after(10):
            await _drain(process.stdout, captured)
            await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    lines = [json.loads(line) for line in captured.decode().splitlines()]
    (access,) = [line for line in lines if line.get("request_id") == request_id]
    assert access["event"] == "request" and access["logger"] == "socialnet.access"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/api/health", 200)
    assert access["bytes"] == len(response.content) and access["level"] == "info"
