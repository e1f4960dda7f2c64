"""What an image upload may cost, measured (docs/benchmarks.md, "Images").

1. One decode at each budget's edge, each in a process of its own: CPU seconds, and the peak
   memory above what the process held before (ru_maxrss).
2. A real server (`socialnet serve`, one process) taking 3 uploads at once of the same file:
   the answers, how long they took, the server's resident memory before and at its peak
   (VmHWM, reset between files), and the slowest `GET /api/health` meanwhile (what another
   user waits).

Run: .venv/bin/python docs/images.py. The server uses DATABASE_URL when set, else an embedded
Postgres in a temporary data directory (slower to start).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import trio
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests import images  # noqa: E402

SIDE = 6324  # 39.99 megapixels
AT_ONCE = int(os.environ.get("AT_ONCE", "3"))
SERVED = ("GIF 8 frames of 6300 x 6300", "JPEG 40 MP, turned", "PNG 40 MP RGBA, turned")

DECODE = """
import sys, time
from server import media
from server.errors import ApiError
def kb(field):
    return int(next(x for x in open("/proc/self/status") if x.startswith(field)).split()[1])
data = open(sys.argv[1], "rb").read()
before = kb("VmRSS")
started = time.process_time()
try:
    stored = media.process_image(data)
    answer = f"stored {stored.width} x {stored.height}, {len(stored.data) // 1024} KiB"
except ApiError as error:
    answer = f"{error.status} {error.code}"
cpu = time.process_time() - started
peak = kb("VmHWM") - before
print(f"{cpu:5.2f} s CPU, +{peak / 1024:4.0f} MB peak: {answer}")
"""


def gradient(mode: str) -> Image.Image:
    size = (SIDE, SIDE)
    ramp = Image.linear_gradient("L").resize(size)
    bands = [ramp, ramp.transpose(Image.Transpose.ROTATE_90), Image.new("L", size, 128), ramp]
    return Image.merge(mode, bands[: len(mode)])


def make_inputs(directory: Path) -> dict[str, Path]:
    upright = Image.Exif()
    upright[images.ORIENTATION] = 6  # the camera was turned: the pixels must be
    files = {
        "JPEG 40 MP, turned": ("jpeg.jpg", "JPEG", gradient("RGB"), {"exif": upright.tobytes()}),
        "JPEG 40 MP, CMYK": ("cmyk.jpg", "JPEG", gradient("CMYK"), {}),
        "PNG 40 MP RGBA, turned": ("rgba.png", "PNG", gradient("RGBA"), {"exif": upright}),
    }
    paths = {}
    for label, (name, fmt, image, params) in files.items():
        paths[label] = directory / name
        image.save(paths[label], format=fmt, **params)
    gifs = {
        "GIF 1 frame of 40 MP": images.huge_animation(frames=1, size=(6300, 6300)),
        "GIF 2 frames of 40 MP": images.huge_animation(frames=2, size=(4950, 8000)),
        "GIF 24 frames of 4 MP": images.huge_animation(frames=24, size=(2000, 2000)),
        "GIF 1000 frames of 316 x 316": images.huge_animation(frames=1000, size=(316, 316)),
        "GIF 8 frames of 6300 x 6300": images.huge_animation(),
    }
    for index, (label, data) in enumerate(gifs.items()):
        paths[label] = directory / f"animation{index}.gif"
        paths[label].write_bytes(data)
    return paths


def measure_decodes(paths: dict[str, Path]) -> None:
    print("One decode each, in a process of its own:")
    for label, path in paths.items():
        result = subprocess.run(
            [sys.executable, "-c", DECODE, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        size = path.stat().st_size // 1024
        print(f"  {label:30} {size:6} KiB  {result.stdout.strip()}")


def reset_peak(pid: int) -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")  # restart VmHWM, the peak resident memory, from now


def memory_kb(pid: int, field: str) -> int:
    line = next(x for x in open(f"/proc/{pid}/status") if x.startswith(field))
    return int(line.split()[1])


async def serve(data_dir: Path):
    env = {**os.environ, "SOCIALNET_CLIENT_DIR": "", "SOCIALNET_RATE_LIMITS": "off"}
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "server", "serve", "--port", "0", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = b""
    with trio.fail_after(120):
        while not (found := re.search(rb"serving on (http://\S+)", seen)):
            chunk = await process.stderr.receive_some()
            if not chunk:
                raise RuntimeError(seen.decode())
            seen += chunk
    return process, found.group(1).decode()


async def uploads_at_once(url: str, pid: int, label: str, data: bytes) -> None:
    reset_peak(pid)
    before = memory_kb(pid, "VmRSS")
    answers: list[int] = []
    slowest = 0.0
    done = trio.Event()

    async def upload(client: httpx.AsyncClient) -> None:
        files = {"image": ("upload", data, "application/octet-stream")}
        response = await client.post("/api/posts", data={"body": label}, files=files)
        answers.append(response.status_code)
        if len(answers) == AT_ONCE:
            done.set()

    async def watch_health(client: httpx.AsyncClient) -> None:
        nonlocal slowest
        while not done.is_set():
            started = time.perf_counter()
            await client.get("/api/health")
            slowest = max(slowest, time.perf_counter() - started)
            await trio.sleep(0.02)

    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        email = f"{time.time_ns()}@example.com"
        form = {
            "email": email,
            "password": "correct horse battery",
            "first_name": "Bench",
            "last_name": "Mark",
            "date_of_birth": "1990-01-01",
        }
        blank = {"avatar": ("", b"", "application/octet-stream")}
        registered = await client.post("/api/auth/register", data=form, files=blank)
        registered.raise_for_status()
        started = time.perf_counter()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(watch_health, client)
            for _ in range(AT_ONCE):
                nursery.start_soon(upload, client)
        elapsed = time.perf_counter() - started
    peak = memory_kb(pid, "VmHWM")
    print(
        f"  {label:30} {sorted(answers)} in {elapsed:5.2f} s; server {before // 1024} MB, "
        f"peak {peak // 1024} MB; slowest health {slowest * 1000:.0f} ms"
    )


async def measure_server(paths: dict[str, Path], data_dir: Path) -> None:
    process, url = await serve(data_dir)
    try:
        print(f"{AT_ONCE} uploads at once to one server process:")
        for label in SERVED:
            await uploads_at_once(url, process.pid, label, paths[label].read_bytes())
    finally:
        process.terminate()
        await process.wait()


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        paths = make_inputs(Path(scratch))
        measure_decodes(paths)
        trio.run(measure_server, paths, Path(scratch) / "data")


if __name__ == "__main__":
    main()
