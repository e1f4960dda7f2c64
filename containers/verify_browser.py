"""Browser check of the running container stack, through the frontend's port only.

Run by containers/verify.sh (not a pytest suite, so that no suite collects it):

    .venv/bin/python containers/verify_browser.py --base-url http://127.0.0.1:PORT

Two browser contexts are two people. Alice registers through the /register page,
logs out and logs in again through /login; Bob registers. Posting and chat use
the pages' own cookies (page.request, and a WebSocket opened inside the page), so
every request goes through nginx to the backend: Alice follows Bob, posts with an
image, Bob reads the post and its image (proxied /media), and a direct message
crosses the proxied /ws from Alice to Bob.
Prints one line per step; exits non-zero at the first failure.
"""

from __future__ import annotations

import argparse
import os
import re
import struct
import sys
import time
import uuid
import zlib

from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = os.environ.get("SOCIALNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "containers are fun 42"
TIMEOUT_MS = 20_000

OPEN_SOCKET = """
async () => {
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  const ws = new WebSocket(url);
  window.__verify = { ws, frames: [] };
  ws.addEventListener('message', (event) => {
    try { window.__verify.frames.push(JSON.parse(event.data)); } catch (err) { /* not JSON */ }
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error('WebSocket error')), { once: true });
    ws.addEventListener('close', (e) => reject(new Error('closed: ' + e.code)), { once: true });
  });
  return url;
}
"""

SEND_CHAT = """
([to, body, id]) => {
  window.__verify.ws.send(JSON.stringify(
    { type: 'chat.send', to: { user: to }, body, client_msg_id: id }));
}
"""


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A valid RGB PNG, made here (no image library on the host side)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes((200, 60, 40)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def step(message: str) -> None:
    print(f"    browser: {message}", flush=True)


def register(page: Page, email: str, first: str, last: str) -> None:
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Date of birth").fill("1990-12-10")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Welcome, {first}")).to_be_visible()


def my_id(page: Page) -> int:
    response = page.request.get("/api/auth/me")
    assert response.status == 200, f"GET /api/auth/me: {response.status} {response.text()}"
    return response.json()["user"]["id"]


def run(base_url: str) -> None:
    run_id = uuid.uuid4().hex[:10]
    origin = {"Origin": base_url}  # what a browser's fetch sends; the server checks it
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            alice_context = browser.new_context(base_url=base_url)
            bob_context = browser.new_context(base_url=base_url)
            for context in (alice_context, bob_context):
                context.set_default_timeout(TIMEOUT_MS)
            alice = alice_context.new_page()
            bob = bob_context.new_page()
            alice_email = f"alice-{run_id}@example.com"

            register(alice, alice_email, "Alice", "Verify")
            step("Alice registered through /register")

            alice.get_by_role("button", name="Log out").click()
            expect(alice).to_have_url(re.compile(r"/login$"))
            alice.get_by_label("Email").fill(alice_email)
            alice.get_by_label("Password").fill(PASSWORD)
            alice.get_by_role("button", name="Log in").click()
            expect(alice).to_have_url(re.compile(r"/$"))
            expect(alice.get_by_role("heading", name="Welcome, Alice")).to_be_visible()
            step("Alice logged out and logged in again through /login")

            register(bob, f"bob-{run_id}@example.com", "Bob", "Verify")
            step("Bob registered through /register (public profile)")
            alice_id, bob_id = my_id(alice), my_id(bob)

            response = alice.request.post(f"/api/users/{bob_id}/follow", headers=origin)
            assert response.status == 200, f"follow: {response.status} {response.text()}"
            assert response.json()["follow_state"] == "following", response.text()
            step(f"Alice (user {alice_id}) follows Bob (user {bob_id})")

            body = f"Hello from the containers ({run_id})"
            image = {"name": "dot.png", "mimeType": "image/png", "buffer": tiny_png()}
            response = alice.request.post(
                "/api/posts",
                multipart={"body": body, "privacy": "public", "image": image},
                headers=origin,
            )
            assert response.status == 201, f"POST /api/posts: {response.status} {response.text()}"
            post_id = response.json()["post"]["id"]
            response = bob.request.get(f"/api/posts/{post_id}")
            assert response.status == 200, f"GET /api/posts/{post_id}: {response.status}"
            post = response.json()["post"]
            assert post["body"] == body, response.text()
            image_url = post["image_url"]
            assert image_url and image_url.startswith("/media/"), post
            response = bob.request.get(image_url)
            assert response.status == 200, f"GET {image_url}: {response.status}"
            assert response.headers["content-type"] == "image/png", response.headers
            assert response.body().startswith(b"\x89PNG"), "not a PNG"
            step(f"Alice posted with an image (post {post_id}); Bob reads it and {image_url}")

            for page in (bob, alice):
                url = page.evaluate(OPEN_SOCKET)
            step(f"both opened {url} in their pages")
            message = f"Hi Bob, over the proxied WebSocket ({run_id})"
            client_msg_id = str(uuid.uuid4())
            alice.evaluate(SEND_CHAT, [bob_id, message, client_msg_id])
            alice.wait_for_function(
                """(id) => window.__verify.frames.some(
                    (f) => f.type === 'chat.ack' && f.client_msg_id === id)""",
                arg=client_msg_id,
                timeout=TIMEOUT_MS,
            )
            received = bob.wait_for_function(
                """([body, sender]) => window.__verify.frames.find(
                    (f) => f.type === 'chat.message' && f.message.body === body
                        && f.message.sender.id === sender)""",
                arg=[message, alice_id],
                timeout=TIMEOUT_MS,
            ).json_value()
            assert received["message"]["conversation"] == {"kind": "direct", "id": alice_id}
            step("Alice's chat.send was acknowledged and Bob received the chat.message")
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base-url", required=True, help="the frontend, e.g. http://127.0.0.1:8080"
    )
    args = parser.parse_args()
    started = time.monotonic()
    try:
        run(args.base_url.rstrip("/"))
    except Exception as exc:  # report and fail: verify.sh prints the logs
        print(f"    browser: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    step(f"all steps passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
