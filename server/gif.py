"""GIF at the level of its blocks: read the structure without decoding a pixel, and rewrite an
animation frame by frame from its decoded pixels.

`read_gif` walks the block structure (header, logical screen descriptor, colour tables,
extensions, image descriptors, data sub-blocks) in one pass: every step consumes at least one
byte, so it ends within `len(data)` steps on any input, and a truncated file is `GifError`.
What it returns is enough to price an animation before any decoding (server/media.py).

`rewrite_gif` decodes one frame at a time with Pillow (each frame alone, in its own rectangle and
with its own palette, never composited) and writes a new file: the logical screen, each frame's
rectangle, palette, transparency index, delay and disposal, and the loop count. Nothing else is
copied: comments, application extensions other than the loop count, plain-text blocks and
whatever follows the end of a frame's pixel data stay behind. Browsers ignore a GIF's
background colour; it is kept only while the global palette it indexes is.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image

SIGNATURES = (b"GIF87a", b"GIF89a")
EXTENSION, IMAGE, TRAILER = 0x21, 0x2C, 0x3B
GRAPHIC_CONTROL, APPLICATION = 0xF9, 0xFF
LOOP_APPLICATIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


class GifError(ValueError):
    """The bytes are not a complete GIF (truncated, or no image at all)."""


@dataclass(frozen=True, slots=True)
class Frame:
    left: int
    top: int
    width: int
    height: int
    interlaced: bool
    color_table: bytes | None  # the frame's own palette; None: the global one
    min_code_size: int
    data: slice  # the LZW sub-blocks, their terminator included
    delay: int = 0  # hundredths of a second
    disposal: int = 0
    transparency: int | None = None


@dataclass(frozen=True, slots=True)
class Gif:
    width: int  # the logical screen
    height: int
    color_table: bytes | None
    background: int
    loop: int | None  # None: play once (no loop extension)
    frames: tuple[Frame, ...]

    @property
    def canvas(self) -> tuple[int, int]:
        """What a viewer composites on: the screen, grown to every frame's extent (as Pillow
        does); every frame costs this many pixels to display."""
        width = max([self.width] + [f.left + f.width for f in self.frames])
        height = max([self.height] + [f.top + f.height for f in self.frames])
        return width, height


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.at = 0

    def take(self, count: int) -> bytes:
        end = self.at + count
        if end > len(self.data):
            raise GifError("truncated")
        chunk = self.data[self.at : end]
        self.at = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def sub_blocks(self) -> slice:
        """Skip a run of data sub-blocks (each a length byte and that many bytes) and its
        zero-length terminator; return where they were."""
        start = self.at
        while length := self.byte():
            self.take(length)
        return slice(start, self.at)

    def first_sub_block(self) -> bytes:
        """The first sub-block of an extension (its fixed part), or b"" when it has none."""
        length = self.byte()
        return self.take(length) if length else b""


def _color_table(reader: _Reader, flags: int) -> bytes | None:
    return reader.take(3 << ((flags & 7) + 1)) if flags & 0x80 else None


def read_gif(data: bytes, *, max_frames: int | None = None) -> Gif:
    """The structure of a GIF, without decoding pixels. Raises GifError when truncated or
    without any image; stops counting (and returns) past `max_frames` frames, so that the
    caller can refuse without reading the rest. Bytes that introduce no known block end the
    file, as browsers read it; so does its end without a trailer."""
    reader = _Reader(data)
    if reader.take(6) not in SIGNATURES:
        raise GifError("not a GIF")
    width, height, flags, background, _aspect = struct.unpack("<HHBBB", reader.take(7))
    global_table = _color_table(reader, flags)
    loop = None
    frames: list[Frame] = []
    control: dict = {}
    while reader.at < len(data) and (max_frames is None or len(frames) <= max_frames):
        introducer = reader.byte()
        if introducer == EXTENSION:
            label = reader.byte()
            fixed = reader.first_sub_block()
            if label == GRAPHIC_CONTROL and len(fixed) == 4:
                packed, delay, index = struct.unpack("<BHB", fixed)
                control = {
                    "delay": delay,
                    "disposal": (packed >> 2) & 7,
                    "transparency": index if packed & 1 else None,
                }
            if fixed:
                extra = reader.at
                reader.sub_blocks()
                if label == APPLICATION and fixed in LOOP_APPLICATIONS and loop is None:
                    loop_block = data[extra : extra + 4]
                    if len(loop_block) == 4 and loop_block[:2] == b"\x03\x01":
                        loop = int.from_bytes(loop_block[2:4], "little")
        elif introducer == IMAGE:
            left, top, w, h, flags = struct.unpack("<HHHHB", reader.take(9))
            table = _color_table(reader, flags)
            min_code_size = reader.byte()
            frames.append(
                Frame(
                    left,
                    top,
                    w,
                    h,
                    bool(flags & 0x40),
                    table,
                    min_code_size,
                    reader.sub_blocks(),
                    **control,
                )
            )
            control = {}
        else:  # the trailer, or bytes no block starts with
            break
    if not frames:
        raise GifError("no image")
    return Gif(width, height, global_table, background, loop, tuple(frames))


def _screen(width: int, height: int, table: bytes | None, background: int = 0) -> bytes:
    flags = 0x80 | ((len(table) // 3).bit_length() - 2) if table else 0
    return b"GIF89a" + struct.pack("<HHBBB", width, height, flags, background, 0) + (table or b"")


def _image(frame: Frame, table: bytes | None, interlaced: bool) -> bytes:
    flags = (0x40 if interlaced else 0) | (
        0x80 | ((len(table) // 3).bit_length() - 2) if table else 0
    )
    return (
        b","
        + struct.pack("<HHHHB", frame.left, frame.top, frame.width, frame.height, flags)
        + (table or b"")
    )


def _control(frame: Frame) -> bytes:
    if not (frame.delay or frame.disposal or frame.transparency is not None):
        return b""
    packed = (frame.disposal << 2) | (frame.transparency is not None)
    return b"!\xf9\x04" + struct.pack("<BHB", packed, frame.delay, frame.transparency or 0) + b"\0"


def _loop(count: int) -> bytes:
    return b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", count) + b"\0"


def _decode_frame(data: bytes, gif: Gif, frame: Frame) -> Image.Image:
    """The frame's own pixels (palette indices), decoded by Pillow from a GIF of that frame
    alone; loaded, or an OSError/ValueError/EOFError when its data is damaged."""
    alone = Frame(
        0, 0, frame.width, frame.height, frame.interlaced, None, frame.min_code_size, frame.data
    )
    single = (
        _screen(frame.width, frame.height, frame.color_table or gif.color_table)
        + _image(alone, None, frame.interlaced)
        + bytes([frame.min_code_size])
        + data[frame.data]
        + b";"
    )
    image = Image.open(io.BytesIO(single), formats=["GIF"])
    image.load()
    return image


def _encode_frame(image: Image.Image, frame: Frame) -> tuple[bytes | None, bool, bytes]:
    """Pillow's encoding of one frame's indices: (palette, interlaced, LZW code size and data)."""
    out = io.BytesIO()
    image.save(out, format="GIF", optimize=False, interlace=frame.interlaced)
    encoded = out.getvalue()
    written = read_gif(encoded)
    only = written.frames[0]
    table = only.color_table or written.color_table
    return table, only.interlaced, bytes([only.min_code_size]) + encoded[only.data]


def rewrite_gif(data: bytes, gif: Gif) -> bytes:
    """A new GIF with the same frames, decoded and re-encoded one at a time (so at most one
    frame's pixels are held at once). A damaged frame raises OSError, ValueError or EOFError
    (Pillow's own)."""
    body: list[bytes] = []
    global_table = None
    for index, frame in enumerate(gif.frames):
        with _decode_frame(data, gif, frame) as image:
            table, interlaced, pixels = _encode_frame(image, frame)
        if index == 0:
            global_table = table
        local = None if table == global_table else table
        body += [_control(frame), _image(frame, local, interlaced), pixels]
    background = gif.background if global_table == gif.color_table else 0
    head = _screen(gif.width, gif.height, global_table, background)
    loop = _loop(gif.loop) if gif.loop is not None else b""
    return b"".join([head, loop, *body, b";"])
