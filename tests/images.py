"""Image files made on the spot for upload tests."""

from __future__ import annotations

import io
import os
import struct

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


def animation(frames: int = 4, size=(40, 30), **save) -> bytes:
    """A GIF animation as an editor writes one: frames that move, transparency, and whatever
    `save` adds (duration, loop, disposal, comment...)."""
    width, height = size
    images = []
    for index in range(frames):
        image = Image.new("RGBA", size, (0, 0, 0, 0))
        left = index * width // (frames + 1)
        image.paste((40 * index % 256, 200, 255 - 30 * index % 256, 255), (left, 2, left + 8, 12))
        image.paste((20, 160, 40, 255), (0, height - 6, width, height))
        images.append(image)
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], transparency=0, **save
    )
    return out.getvalue()


def uniform_lzw(pixels: int, index: int = 1, min_code_size: int = 2) -> bytes:
    """GIF image data (LZW code size and sub-blocks) painting `pixels` pixels of palette entry
    `index`, written directly: each code stands for a run one pixel longer than the last, so a
    6300 x 6300 frame takes 30 KB and milliseconds to make (and seconds to decode)."""
    clear, end = 1 << min_code_size, (1 << min_code_size) + 1
    out = bytearray()
    bits = count = 0

    def put(code: int, width: int) -> None:
        nonlocal bits, count
        bits |= code << count
        count += width
        while count >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            count -= 8

    remaining = pixels
    width = min_code_size + 1
    while remaining:
        width = min_code_size + 1
        put(clear, width)
        put(index, width)
        remaining -= 1
        next_code, run = end + 1, 1
        while remaining and next_code < 4096:
            run = min(run + 1, remaining)
            put(index if run == 1 else end + run - 1, width)
            remaining -= run
            next_code += 1
            if next_code == 1 << width and width < 12:
                width += 1
    put(end, width)
    if count:
        out.append(bits & 0xFF)
    blocks = bytearray([min_code_size])
    for start in range(0, len(out), 255):
        chunk = out[start : start + 255]
        blocks += bytes([len(chunk)]) + chunk
    return bytes(blocks + b"\0")


def huge_animation(frames: int = 8, size=(6300, 6300)) -> bytes:
    """Issue 13's animation: 8 frames of 6300 x 6300 in about 215 KiB, each frame a plain
    colour; a valid GIF that Pillow decodes (in seconds, and a gigabyte)."""
    width, height = size
    palette = bytes([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x81, 0, 0) + palette
    head += b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    colours = [uniform_lzw(width * height, index) for index in (1, 2, 3)]
    body = b"".join(
        b"!\xf9\x04\x00\x0a\x00\x00\x00"  # 100 ms
        + b","
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + colours[frame % 3]
        for frame in range(frames)
    )
    return head + body + b";"


def noise_png(side: int = 1700) -> bytes:
    """Random pixels, which PNG cannot compress: about 3 bytes a pixel (1700: 8.7 MB)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()
