"""Images: recognise by content, refuse what is not a sound JPEG, PNG or GIF, re-encode, store.

Everything here is blocking (Pillow, the file system): callers run it in a worker thread.
Files live under `<data dir>/media`, named by their content hash, and are only ever served by
`GET /media/{id}` after an authorization check; there is no public upload folder.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps

from server.errors import PayloadTooLarge, UnsupportedMedia, ValidationError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# An animated GIF is decoded frame by frame: bound the total work, not just one frame.
MAX_GIF_TOTAL_PIXELS = 8 * MAX_IMAGE_PIXELS
JPEG_QUALITY = 88
TOO_MANY_PIXELS = "The image has too many pixels (40 megapixels at most)."

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}
MAGIC_NUMBERS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}

# Pillow refuses images over 2x this with DecompressionBombError and warns over 1x; we treat the
# warning as an error too (see _open), so MAX_IMAGE_PIXELS is the hard limit.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False


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


def _open(data: bytes, field: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PayloadTooLarge(TOO_MANY_PIXELS) from None
        except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError):
            if data.startswith(MAGIC_NUMBERS):
                # It claims to be one of ours by its first bytes, but cannot even be opened.
                raise _damaged(field) from None
            raise UnsupportedMedia("This file is not a JPEG, PNG or GIF image.") from None
    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise PayloadTooLarge(TOO_MANY_PIXELS)
    return image


def _load_all_frames(image: Image.Image, field: str) -> None:
    """Decode every frame, so that a truncated or corrupt file is refused now, not when served."""
    frames = getattr(image, "n_frames", 1)
    if frames * image.width * image.height > MAX_GIF_TOTAL_PIXELS:
        raise PayloadTooLarge("The animation is too large to process.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            for index in range(frames):
                image.seek(index)
                image.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombWarning):
        raise _damaged(field) from None
    image.seek(0)


def _reencode(image: Image.Image) -> bytes:
    """Apply the EXIF orientation, then write pixels only: EXIF, GPS, XMP and text chunks stay
    behind because nothing but the pixels (and PNG transparency) is passed to `save`."""
    oriented = ImageOps.exif_transpose(image) or image
    out = io.BytesIO()
    if image.format == "JPEG":
        if oriented.mode not in ("RGB", "L"):
            oriented = oriented.convert("RGB")
        oriented.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        params = {}
        if "transparency" in oriented.info and oriented.mode in ("P", "L", "RGB"):
            params["transparency"] = oriented.info["transparency"]
        oriented.save(out, format="PNG", optimize=True, **params)
    return out.getvalue()


def process_image(data: bytes, *, field: str = "image") -> StoredImage:
    """Validate an upload and return what to store. Raises the contract's errors:
    413 over 10 MiB or 40 megapixels, 415 for anything but JPEG/PNG/GIF, 422 when damaged."""
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge("The image is larger than 10 MiB.")
    if not data:
        raise ValidationError("The file is empty.", fields={field: "the file is empty"})
    image = _open(data, field)
    with image:
        _load_all_frames(image, field)
        content_type = FORMATS[image.format]
        if image.format == "GIF":
            # GIFs are stored as uploaded so every frame, delay and loop survives; the format
            # carries no EXIF/GPS block, and every frame was decoded above.
            return StoredImage(content_type, data, image.width, image.height)
        encoded = _reencode(image)
        with Image.open(io.BytesIO(encoded)) as result:
            width, height = result.size
    return StoredImage(content_type, encoded, width, height)


def write_file(media_dir: Path, image: StoredImage) -> Path:
    """Write atomically under its content hash; an identical file is already there."""
    media_dir.mkdir(parents=True, exist_ok=True)
    path = media_dir / image.filename
    if not path.exists():
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(image.data)
        os.replace(temporary, path)
    return path


def file_path(media_dir: Path, sha256: str, content_type: str) -> Path:
    return media_dir / f"{sha256}.{EXTENSIONS[content_type]}"


def remove_files(media_dir: Path, files: list[tuple[str, str]]) -> None:
    """Delete stored files by (sha256, content type); one already gone is no error."""
    for sha256, content_type in files:
        file_path(media_dir, sha256, content_type).unlink(missing_ok=True)
