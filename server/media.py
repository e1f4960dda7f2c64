"""Images: recognise by content, price before decoding, refuse what cannot fit, re-encode, store.

Everything here is blocking (Pillow, the file system): callers run it in a worker thread, and
server/http/uploads.py bounds how many decodes run at once.

Budgets, each checked from headers alone, before any pixel is decoded:
- 10 MiB per file (`MAX_IMAGE_BYTES`).
- 40 megapixels per still image or animation frame (`MAX_IMAGE_PIXELS`; Pillow's own bomb
  check is set to the same number and its warning is an error).
- An animation (GIF) pays for every frame at the size a viewer composites it, the logical
  screen grown to the frames' extent: frames x width x height <= 100 megapixels
  (`MAX_ANIMATION_PIXELS`), and at most 1,000 frames (`MAX_FRAMES`), which bounds the
  per-frame overhead of many tiny frames. The GIF's block structure is read without decoding
  (server/gif.py) to know both. A 480 x 270 clip of 300 frames is 39 megapixels; the 8 frames
  of 6300 x 6300 of issue 13 (317 megapixels, 215 KiB) are refused in a millisecond.
- Memory, per decode, at these limits (measured: docs/benchmarks.md, "Images"): a JPEG or PNG
  holds its decoded pixels (Pillow keeps RGB at 4 bytes a pixel: 160 MB at 40 megapixels) and
  briefly a second copy while the EXIF orientation is applied: about 310 MB at worst. A GIF is
  decoded and re-encoded one frame at a time, never composited: about 80 MB at worst.

Re-encoding keeps nothing but pixels: JPEG and PNG are written anew from the decoded image
with the EXIF orientation applied (EXIF, GPS, XMP and text chunks stay behind; only the first
frame of an animated PNG is kept); GIFs are rewritten frame by frame (server/gif.py): every
frame, delay, disposal and transparency and the loop count survive, comments and other
extensions do not.

Files live under `<data dir>/media`, named by the SHA-256 of their bytes, and are only ever
served by `GET /media/{id}` after an authorization check. An upload is written under a
temporary name first (`stage_file`) and takes its content name only once the row that owns it
has committed (`publish_file`); files no row names are swept (server/domain/media_sweeper.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import re
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile

from server import gif
from server.errors import PayloadTooLarge, UnsupportedMedia, ValidationError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_ANIMATION_PIXELS = 100_000_000
MAX_FRAMES = 1_000
JPEG_QUALITY = 88
TOO_MANY_PIXELS = "The image has too many pixels (40 megapixels at most)."
TOO_LARGE_ANIMATION = (
    "The animation is too large: at most 1,000 frames and 100 megapixels in all "
    "(frames x width x height)."
)

# What Pillow may open besides GIF (which server/gif.py reads itself): MPO is how Pillow names
# a JPEG that carries extra pictures (a phone's depth map, say); its first picture is a JPEG.
FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png"}
MAGIC_NUMBERS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", *gif.SIGNATURES)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}

# Pillow refuses images over 2x this with DecompressionBombError and warns over 1x; we treat the
# warning as an error too (see _open), so MAX_IMAGE_PIXELS is the hard limit.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False
# Pillow allocates pixels in blocks of up to 16 MiB. Once glibc has freed a block that size it
# serves the next ones from its heap (its mmap threshold rises to 32 MiB), which keeps what is
# freed: after a few 40-megapixel decodes a server held 150 MB more for good. Blocks of up to
# 64 MiB are mapped and unmapped whole, so a decode's memory goes back when it ends.
Image.core.set_block_size(64 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class StoredImage:
    content_type: str
    data: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def filename(self) -> str:
        return f"{self.sha256}.{EXTENSIONS[self.content_type]}"


def _damaged(field: str) -> ValidationError:
    return ValidationError(
        "The image is damaged or incomplete.", fields={field: "the image is damaged"}
    )


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise PayloadTooLarge(TOO_MANY_PIXELS)


def _open(data: bytes, field: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG"])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PayloadTooLarge(TOO_MANY_PIXELS) from None
        except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError):
            if data.startswith(MAGIC_NUMBERS):
                # It claims to be one of ours by its first bytes, but cannot even be opened.
                raise _damaged(field) from None
            raise UnsupportedMedia("This file is not a JPEG, PNG or GIF image.") from None
    _check_pixels(image.width, image.height)
    return image


# EXIF orientation -> the transposition that turns the pixels upright.
ORIENTATION = 0x0112
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _pixels_only(image: Image.Image) -> Image.Image:
    """The first frame decoded, in a mode its format can store, turned upright. At most two
    copies of the pixels exist at once, briefly. (Not ImageOps.exif_transpose: it writes the
    EXIF block back, and fails on a damaged one that we would discard anyway.)"""
    image.load()
    orientation = image.getexif().get(ORIENTATION)
    pixels = image
    if image.format in ("JPEG", "MPO") and image.mode not in ("RGB", "L"):
        pixels = image.convert("RGB")  # CMYK
        image.close()
    method = UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    if method is not None:
        upright = pixels.transpose(method)
        pixels.close()
        pixels = upright
    return pixels


def _reencode(image: Image.Image, field: str) -> StoredImage:
    """Write pixels only: EXIF, GPS, XMP and text chunks stay behind because nothing but the
    pixels (and PNG transparency) is passed to `save`."""
    content_type = FORMATS[image.format]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            pixels = _pixels_only(image)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombWarning):
        raise _damaged(field) from None
    out = io.BytesIO()
    with pixels:
        if content_type == "image/jpeg":
            pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            params = {}
            if "transparency" in pixels.info and pixels.mode in ("P", "L", "RGB"):
                params["transparency"] = pixels.info["transparency"]
            pixels.save(out, format="PNG", **params)
        width, height = pixels.size
    return StoredImage(content_type, out.getvalue(), width, height)


def _process_gif(data: bytes, field: str) -> StoredImage:
    try:
        structure = gif.read_gif(data, max_frames=MAX_FRAMES)
    except gif.GifError:
        raise _damaged(field) from None
    width, height = structure.canvas
    _check_pixels(width, height)
    frames = len(structure.frames)
    if frames > MAX_FRAMES or frames * width * height > MAX_ANIMATION_PIXELS:
        raise PayloadTooLarge(TOO_LARGE_ANIMATION)
    if any(frame.width * frame.height == 0 for frame in structure.frames):
        raise _damaged(field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            rewritten = gif.rewrite_gif(data, structure)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombWarning):
        raise _damaged(field) from None
    return StoredImage("image/gif", rewritten, structure.width, structure.height)


def process_image(data: bytes, *, field: str = "image") -> StoredImage:
    """Validate an upload and return what to store. Raises the contract's errors:
    413 over a budget (see above), 415 for anything but JPEG/PNG/GIF, 422 when damaged."""
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge("The image is larger than 10 MiB.")
    if not data:
        raise ValidationError("The file is empty.", fields={field: "the file is empty"})
    if data.startswith(gif.SIGNATURES):
        return _process_gif(data, field)
    with _open(data, field) as image:
        return _reencode(image, field)


# --- storage ----------------------------------------------------------------------------------

CONTENT_NAME = re.compile(r"[0-9a-f]{64}\.(?:jpg|png|gif)")
STAGED_SUFFIX = ".tmp"
LOCK_NAME = ".lock"


def file_path(media_dir: Path, sha256: str, content_type: str) -> Path:
    return media_dir / f"{sha256}.{EXTENSIONS[content_type]}"


def stage_file(media_dir: Path, image: StoredImage) -> Path:
    """Write the bytes, durably, under a temporary name of their own; nothing serves or
    counts that name until `publish_file`."""
    media_dir.mkdir(parents=True, exist_ok=True)
    staged = media_dir / f"{image.filename}.{secrets.token_hex(8)}{STAGED_SUFFIX}"
    with open(staged, "xb") as file:
        file.write(image.data)
        file.flush()
        os.fsync(file.fileno())
    return staged


def publish_file(staged: Path) -> Path:
    """Give a staged file its content name (the row naming it has committed). An identical
    file may already be there: replacing it is harmless, and the rename is atomic."""
    path = staged.with_name(".".join(staged.name.split(".")[:2]))
    with StorageLock(staged.parent, exclusive=False):
        os.replace(staged, path)
    directory = os.open(staged.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path


def discard_file(staged: Path) -> None:
    staged.unlink(missing_ok=True)


class StorageLock:
    """A lock on the media directory, shared between processes on the host: the sweeper holds
    it exclusively from the moment it asks the database which files are named until it has
    removed the others, and publishing a file holds it shared, so a file whose row commits in
    between is never removed after being published. Blocking: use it in a worker thread."""

    def __init__(self, media_dir: Path, *, exclusive: bool):
        self.path = media_dir / LOCK_NAME
        self.exclusive = exclusive
        self.fd: int | None = None

    def acquire(self) -> StorageLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the lock
            self.fd = None

    def __enter__(self) -> StorageLock:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


@dataclass(frozen=True, slots=True)
class StaleFiles:
    """Files last written before the cutoff: by content hash, and staged ones."""

    named: dict[str, Path]
    staged: list[Path]


def stale_files(media_dir: Path, modified_before: float) -> StaleFiles:
    """The media directory's files older than `modified_before` (a POSIX time). Only names this
    module makes are considered; anything else is left alone."""
    named: dict[str, Path] = {}
    staged: list[Path] = []
    try:
        entries = list(os.scandir(media_dir))
    except FileNotFoundError:
        return StaleFiles(named, staged)
    for entry in entries:
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_mtime >= modified_before:
                continue
        except FileNotFoundError:
            continue
        if CONTENT_NAME.fullmatch(entry.name):
            named[entry.name[:64]] = Path(entry.path)
        elif entry.name.endswith(STAGED_SUFFIX):
            staged.append(Path(entry.path))
    return StaleFiles(named, staged)


def remove_files(paths: Iterable[Path]) -> int:
    removed = 0
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed += 1
    return removed
