"""GIF blocks (server/gif.py): read without decoding, rewritten frame by frame."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageSequence

from server import gif
from tests import images


def played(data: bytes) -> list[tuple[bytes, int | None, int]]:
    """What a viewer shows: each composited frame's pixels, its duration and disposal."""
    with Image.open(io.BytesIO(data)) as image:
        return [
            (frame.convert("RGBA").tobytes(), frame.info.get("duration"), frame.disposal_method)
            for frame in ImageSequence.Iterator(image)
        ]


def test_the_structure_is_read_without_decoding():
    structure = gif.read_gif(images.huge_animation())
    assert (structure.width, structure.height) == (6300, 6300)
    assert len(structure.frames) == 8
    assert structure.canvas == (6300, 6300)
    assert structure.loop == 0
    assert [frame.delay for frame in structure.frames] == [10] * 8


def test_frames_beyond_the_screen_grow_the_canvas():
    data = bytearray(images.gif(frames=1, size=(24, 24)))
    descriptor = data.index(b",\x00\x00\x00\x00\x18\x00\x18\x00")
    data[descriptor + 1 : descriptor + 5] = b"\x64\x00\x0a\x00"  # moved to (100, 10)
    assert gif.read_gif(bytes(data)).canvas == (124, 34)


def test_reading_stops_past_the_frame_limit():
    data = images.huge_animation(frames=50, size=(2, 2))
    assert len(gif.read_gif(data, max_frames=10).frames) == 11
    assert len(gif.read_gif(data).frames) == 50


@pytest.mark.parametrize("save", [{}, {"disposal": 2}, {"disposal": [2, 1, 0, 3, 1]}])
def test_the_animation_survives_the_rewrite(save):
    original = images.animation(
        frames=5, duration=[30, 40, 50, 60, 70], loop=3, comment=b"a secret", **save
    )
    rewritten = gif.rewrite_gif(original, gif.read_gif(original))
    assert played(rewritten) == played(original)
    with Image.open(io.BytesIO(rewritten)) as image:
        assert image.n_frames == 5 and image.info["loop"] == 3
    assert [d for _, d, _ in played(rewritten)] == [30, 40, 50, 60, 70]


def test_a_gif_that_plays_once_still_plays_once():
    original = images.animation(frames=3, duration=50)
    assert gif.read_gif(original).loop is None
    rewritten = gif.rewrite_gif(original, gif.read_gif(original))
    assert gif.read_gif(rewritten).loop is None
    with Image.open(io.BytesIO(rewritten)) as image:
        assert "loop" not in image.info


def test_local_palettes_and_interlacing_survive():
    frames = [Image.new("P", (32, 32), index) for index in range(3)]
    for index, frame in enumerate(frames):  # three frames, three palettes of their own
        frame.putpalette([(index * 90 + entry * 7) % 256 for entry in range(768)])
    out = io.BytesIO()
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], interlace=True, duration=20
    )
    original = out.getvalue()
    assert sum(frame.color_table is not None for frame in gif.read_gif(original).frames) >= 2
    rewritten = gif.rewrite_gif(original, gif.read_gif(original))
    assert played(rewritten) == played(original)


def test_comments_and_other_extensions_are_not_copied():
    original = bytearray(images.animation(frames=2, duration=40, loop=0, comment=b"secret one"))
    # An application extension (XMP, as editors write it) and a plain-text block.
    xmp = b"!\xff\x0bXMP DataXMP\x0dsecret-xmp-ab\x00"
    plain_text = b"!\x01\x0c" + bytes(12) + b"\x0asecret-two\x00"
    first_image = original.index(b"!\xf9")
    original[first_image:first_image] = xmp + plain_text
    original = bytes(original)
    assert original.count(b"secret") == 3
    assert played(original)  # Pillow still reads it
    rewritten = gif.rewrite_gif(original, gif.read_gif(original))
    assert b"secret" not in rewritten
    assert played(rewritten) == played(original)


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a", b"GIF89a" + bytes(7), images.gif(frames=2)[:40], b"GIF87a\x01\x00\x01\x00"],
    ids=["empty", "signature", "screen-only", "cut-in-a-frame", "cut-in-the-screen"],
)
def test_truncated_files_are_gif_errors(data):
    with pytest.raises(gif.GifError):
        gif.read_gif(data)


def test_garbage_between_blocks_ends_the_file_as_browsers_read_it():
    data = images.gif(frames=3)
    second_frame = data.index(b"!\xf9", data.index(b","))
    cut = data[:second_frame] + b"\x99 garbage" + data[second_frame:]
    assert len(gif.read_gif(cut).frames) == 1


def test_every_prefix_and_mutation_is_read_or_refused_in_bounded_steps():
    seeds = [images.gif(frames=3), images.animation(frames=3, duration=20, comment=b"c")]
    randomness = random.Random(13)
    cases = [seed[:cut] for seed in seeds for cut in range(len(seed))]
    for _ in range(500):
        mutated = bytearray(randomness.choice(seeds))
        for _ in range(randomness.randint(1, 6)):
            mutated[randomness.randrange(len(mutated))] = randomness.randrange(256)
        cases.append(bytes(mutated))
    for data in cases:
        try:
            structure = gif.read_gif(data)
        except gif.GifError:
            continue
        assert 1 <= len(structure.frames) <= len(data)
