"""The gallery (docs/gallery.md): each main page, as a daily user sees it, at 1280 x 800 and
390 x 844, saved by the browser suite into docs/screenshots/ so that the pictures stay true.

One seeded world, the same on every run (fixed names, words, pictures and event date; ids
restart with the database): Ada Lovelace, who follows Grace Hopper and Alan Turing and is
followed by Grace, a group of hers with Grace in it, an event, posts with a picture, comments,
reactions, a group chat, a private conversation and notifications, one of them an open
invitation. Ada's browser opens only once all of it exists, so nothing arrives live while the
pictures are taken (no toast, no moving badge); the others never open a page (they are offline).

A picture is written only when it differs from the one in docs/ outside the page's <time>
elements (relative times and clock times change from run to run; nothing else does), so that a
run changes the committed files only when the pages changed. PNGs are reduced to 256 colours.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw
from playwright.sync_api import Page, expect

from server.config import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
GALLERY = REPO_ROOT / "docs" / "gallery.md"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "a long enough secret"
# Same context settings everywhere the gallery is made: the words and times read alike.
CONTEXT = {"locale": "en-US", "timezone_id": "UTC", "viewport": SIZES["desktop"]}
# A pixel whose channels differ by more than this has changed (palette rounding stays below
# it), and a picture with more than SPECKS changed pixels has changed (text is drawn with its
# edges smoothed a little differently from run to run).
TOLERANCE = 40
SPECKS = 16

# The pages of the gallery (each picture is docs/screenshots/<page>-<size>.png).
PAGES = [
    "home",
    "explore",
    "profile",
    "post",
    "groups",
    "group",
    "group-chat",
    "messages",
    "notifications",
    "settings",
    "login",
    "register",
]


def register(page: Page, first: str, last: str, email: str, **extra: str) -> int:
    response = page.request.post(
        "/api/auth/register",
        multipart={
            "email": email,
            "password": PASSWORD,
            "first_name": first,
            "last_name": last,
            "date_of_birth": "1990-12-10",
            "is_public": "true",
            **extra,
        },
    )
    assert response.status == 201, response.text()
    return response.json()["user"]["id"]


def ok(response) -> dict:
    assert response.ok, f"{response.url}: {response.status} {response.text()}"
    return response.json() if response.status != 204 else {}


def harbour_picture() -> dict:
    """A sunrise over water, drawn here (the same bytes on every run)."""
    image = Image.new("RGB", (960, 540))
    draw = ImageDraw.Draw(image)
    for y in range(540):
        t = y / 539
        sky = (int(250 - 90 * t), int(190 - 60 * t), int(140 + 60 * t))
        sea = (int(40 + 30 * t), int(90 + 20 * t), int(140 + 30 * t))
        draw.line([(0, y), (960, y)], fill=sky if y < 330 else sea)
    draw.ellipse((400, 200, 560, 360), fill=(255, 214, 120))
    draw.rectangle((0, 330, 960, 540), fill=(46, 96, 150))
    for y in range(345, 540, 18):
        draw.line([(300 + (y % 36), y), (660 - (y % 36), y)], fill=(255, 214, 120), width=3)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def seed(new_page) -> dict:
    """The world of the gallery; returns the ids the addresses need, and Ada's page."""
    ada_page, grace, alan = (new_page(**CONTEXT) for _ in range(3))
    ada = register(
        ada_page,
        "Ada",
        "Lovelace",
        "ada@example.com",
        nickname="countess",
        about_me="Poetical science. Notes on the Analytical Engine. ✨",
    )
    grace_id = register(
        grace,
        "Grace",
        "Hopper",
        "grace.brewster.murray.hopper@navy-research-laboratory.example.com",
        about_me="Ships in harbour are safe, but that is not what ships are built for.",
    )
    alan_id = register(alan, "Alan", "Turing", "alan@example.com")

    for page, whom in ((ada_page, grace_id), (ada_page, alan_id), (grace, ada)):
        ok(page.request.post(f"/api/users/{whom}/follow"))

    ok(
        alan.request.post(
            "/api/posts",
            multipart={
                "body": "Can machines think? Reading group on Thursday, all welcome.",
                "privacy": "public",
            },
        )
    )
    ok(
        grace.request.post(
            "/api/posts",
            multipart={
                "body": "Sunrise over the harbour this morning. Worth the early start 🌅",
                "privacy": "public",
                "image": harbour_picture(),
            },
        )
    )
    post = ok(
        ada_page.request.post(
            "/api/posts",
            multipart={
                "body": "Finished my notes on the Engine: it might compose elaborate pieces "
                "of music, of any degree of complexity.",
                "privacy": "public",
            },
        )
    )["post"]
    ok(
        grace.request.post(
            f"/api/posts/{post['id']}/comments",
            multipart={"body": "Wonderful! Can I read them before the meeting?"},
        )
    )
    ok(grace.request.put(f"/api/posts/{post['id']}/reaction", data={"kind": "love"}))
    ok(alan.request.put(f"/api/posts/{post['id']}/reaction", data={"kind": "like"}))

    group = ok(
        ada_page.request.post(
            "/api/groups",
            data={
                "title": "Analytical Engine Club",
                "description": "Punched cards, bold ideas and tea. Meetings every other Saturday.",
            },
        )
    )["group"]
    invitation = ok(
        ada_page.request.post(f"/api/groups/{group['id']}/invitations", data={"user_id": grace_id})
    )["invitation"]
    ok(grace.request.post(f"/api/group-invitations/{invitation['id']}/accept"))
    ok(
        grace.request.post(
            "/api/posts",
            multipart={
                "body": "Bringing the new card punch on Saturday. Who wants to try it?",
                "privacy": "public",
                "group_id": str(group["id"]),
            },
        )
    )
    ok(
        grace.request.post(
            f"/api/groups/{group['id']}/events",
            data={
                "title": "Punch card workshop",
                "description": "Bring a program; we will run it.",
                "starts_at": "2030-06-15T14:00:00Z",
            },
        )
    )
    for page, body in (
        (ada_page, "Welcome to the club, Grace!"),
        (grace, "Thanks! Tea is on me on Saturday ☕"),
        (ada_page, "Then I will bring the biscuits 🍪"),
    ):
        ok(page.request.post(f"/api/groups/{group['id']}/messages", data={"body": body}))

    puzzlers = ok(
        alan.request.post(
            "/api/groups", data={"title": "Bletchley Puzzlers", "description": "Crosswords."}
        )
    )["group"]
    ok(alan.request.post(f"/api/groups/{puzzlers['id']}/invitations", data={"user_id": ada}))

    for page, peer, body in (
        (grace, ada, "Are you coming to the workshop?"),
        (ada_page, grace_id, "Of course, I'm bringing my notes."),
        (grace, ada, "Perfect. See you there 👋"),
    ):
        ok(page.request.post(f"/api/chats/direct/{peer}/messages", data={"body": body}))

    return {"page": ada_page, "ada": ada, "grace": grace_id, "post": post["id"], "group": group}


def settle(page: Page) -> None:
    """Fonts loaded, the images in view decoded, two frames drawn, no pointer over anything."""
    page.mouse.move(0, 0)
    page.evaluate(
        """async () => {
          await document.fonts.ready;
          const inView = (img) => {
            const r = img.getBoundingClientRect();
            return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
          };
          const shown = [...document.images].filter(inView);
          await Promise.all(shown.map((img) => img.decode().catch(() => {})));
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        }"""
    )


def volatile(page: Page) -> list[tuple[int, int, int, int]]:
    """Where the page shows times, which change from run to run."""
    return [
        tuple(box)
        for box in page.locator("time").evaluate_all(
            """els => els.map((el) => {
              const r = el.getBoundingClientRect();
              const [left, top] = [Math.floor(r.left) - 2, Math.floor(r.top) - 2];
              return [left, top, Math.ceil(r.right) + 2, Math.ceil(r.bottom) + 2];
            })"""
        )
    ]


def save(path: Path, png: bytes, skip: list[tuple[int, int, int, int]]) -> None:
    """Write the picture (256 colours) unless it shows what the file shows, times aside."""
    fresh = Image.open(io.BytesIO(png)).convert("RGB")
    small = fresh.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    if path.exists():
        old = Image.open(path).convert("RGB")
        if old.size == fresh.size:
            diff = ImageChops.difference(old, small.convert("RGB")).convert("L")
            diff = diff.point(lambda v: 255 if v > TOLERANCE else 0)
            draw = ImageDraw.Draw(diff)
            for box in skip:
                draw.rectangle(box, fill=0)
            if diff.histogram()[255] <= SPECKS:
                return
    small.save(path, optimize=True)


def shoot(page: Page, name: str, ready) -> None:
    """The page at both sizes, each once `ready` (a locator) is visible."""
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        expect(ready).to_be_visible()
        settle(page)
        png = page.screenshot(animations="disabled", caret="hide")
        save(SCREENSHOTS / f"{name}-{size_name}.png", png, volatile(page))
    page.set_viewport_size(SIZES["desktop"])


def test_the_gallery_shows_each_main_page_at_both_sizes(new_page):
    world = seed(new_page)
    ada: Page = world["page"]
    group = world["group"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    ada.goto("/")
    expect(ada.locator("header.topbar")).to_have_attribute("data-realtime", "connected")
    # A group post names its group, a link to it.
    group_post = ada.locator("article", has_text="Bringing the new card punch")
    expect(group_post.get_by_role("link", name=group["title"])).to_have_attribute(
        "href", f"/groups/{group['id']}"
    )
    shoot(ada, "home", ada.get_by_role("img", name=re.compile("Sunrise over the harbour")))

    ada.goto("/explore")
    shoot(ada, "explore", ada.locator("article", has_text="Can machines think?"))

    ada.goto(f"/users/{world['grace']}")
    shoot(ada, "profile", ada.get_by_role("link", name=re.compile("grace.brewster")))

    ada.goto(f"/posts/{world['post']}")
    shoot(ada, "post", ada.get_by_text("Can I read them before the meeting?"))

    ada.goto("/groups")
    mine = ada.get_by_role("region", name="Your groups")
    shoot(ada, "groups", mine.get_by_role("link", name=re.compile(group["title"])))

    ada.goto(f"/groups/{group['id']}")
    shoot(ada, "group", ada.locator("article", has_text="Bringing the new card punch"))

    ada.goto(f"/groups/{group['id']}?tab=chat")
    shoot(ada, "group-chat", ada.get_by_role("list", name="Messages").get_by_text("biscuits"))

    ada.goto(f"/messages/direct/{world['grace']}")
    shoot(ada, "messages", ada.get_by_role("list", name="Messages").get_by_text("See you there"))

    ada.goto("/notifications")
    shoot(ada, "notifications", ada.get_by_text("invited you to join the group Bletchley Puzzlers"))

    ada.goto("/settings/profile")
    shoot(ada, "settings", ada.get_by_label("About me (optional)"))

    guest = new_page(**CONTEXT)
    guest.goto("/login")
    shoot(guest, "login", guest.get_by_role("button", name="Log in"))
    guest.goto("/register")
    shoot(guest, "register", guest.get_by_role("button", name="Create account"))

    # The gallery shows every picture, and every picture is of a page listed here.
    shown = set(re.findall(r"screenshots/([\w-]+)\.png", GALLERY.read_text()))
    made = {f"{name}-{size}" for name in PAGES for size in SIZES}
    assert shown == made, f"docs/gallery.md: missing {made - shown}, extra {shown - made}"
    on_disk = {path.stem for path in SCREENSHOTS.glob("*.png")}
    assert on_disk == made, f"docs/screenshots: missing {made - on_disk}, extra {on_disk - made}"
