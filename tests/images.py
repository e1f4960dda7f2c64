"""Image files made on the spot for upload tests."""

from __future__ import annotations

import io

from PIL import Image

# EXIF tags: Orientation, and the GPS IFD pointer.
ORIENTATION = 0x0112
GPS_IFD = 0x8825


def jpeg(size=(64, 32), color=(200, 30, 30), *, gps: bool = False, orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size=(40, 40), color=(30, 120, 200, 128)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, format="PNG")
    return out.getvalue()


def gif(frames: int = 1, size=(24, 24)) -> bytes:
    # Distinct colours: Pillow merges identical consecutive frames.
    images = [
        Image.new("RGB", size, (index * 50 % 256, 255 - index * 30 % 256, 90))
        for index in range(frames)
    ]
    out = io.BytesIO()
    if frames == 1:
        images[0].save(out, format="GIF")
    else:
        images[0].save(
            out, format="GIF", save_all=True, append_images=images[1:], duration=80, loop=0
        )
    return out.getvalue()


def bomb_png(side: int = 10_000) -> bytes:
    """100 megapixels of one colour: a few kilobytes compressed, 100 MB decoded."""
    out = io.BytesIO()
    Image.new("1", (side, side), 0).save(out, format="PNG", optimize=True)
    return out.getvalue()
