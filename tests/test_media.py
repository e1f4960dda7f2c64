"""Image rules of SPEC.md and the file store, on server/media.py itself (no server needed)."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
import trio
from PIL import Image

from server import media
from server.errors import ApiError, PayloadTooLarge, UnsupportedMedia, ValidationError
from tests import images


def reopen(stored: media.StoredImage) -> Image.Image:
    return Image.open(io.BytesIO(stored.data))


def test_jpeg_is_reencoded_without_exif_or_gps():
    original = images.jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(images.GPS_IFD)  # GPS went in
    stored = media.process_image(original)
    assert stored.content_type == "image/jpeg"
    result = reopen(stored)
    assert result.format == "JPEG"
    assert len(result.getexif()) == 0
    assert "exif" not in result.info


def test_jpeg_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was turned; the displayed image is 32 wide and 64 high.
    stored = media.process_image(images.jpeg(size=(64, 32), orientation=6))
    assert (stored.width, stored.height) == (32, 64)
    assert reopen(stored).size == (32, 64)


def test_png_keeps_transparency_and_loses_text_chunks():
    source = Image.open(io.BytesIO(images.png()))
    out = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "secret location")
    source.save(out, format="PNG", pnginfo=info)
    stored = media.process_image(out.getvalue())
    result = reopen(stored)
    assert stored.content_type == "image/png"
    assert result.mode == "RGBA" and result.getpixel((0, 0))[3] == 128
    assert "Author" not in result.info


def test_static_gif_is_accepted():
    stored = media.process_image(images.gif(frames=1))
    assert stored.content_type == "image/gif"
    assert reopen(stored).format == "GIF"


def test_animated_gif_keeps_every_frame_and_loses_its_comment():
    original = images.animation(frames=5, duration=[80, 90, 100, 110, 120], loop=0, comment=b"hi")
    stored = media.process_image(original)
    assert stored.content_type == "image/gif"
    assert b"hi" in original and b"hi" not in stored.data
    result = reopen(stored)
    assert result.n_frames == 5 and result.info["loop"] == 0
    durations = []
    for index in range(5):
        result.seek(index)
        durations.append(result.info["duration"])
    assert durations == [80, 90, 100, 110, 120]


def test_the_huge_animation_is_refused_before_any_frame_is_decoded(gif_decodes):
    with pytest.raises(PayloadTooLarge):
        media.process_image(images.huge_animation())  # 8 frames of 6300 x 6300
    assert gif_decodes == []
    media.process_image(images.gif(frames=2))  # the watch does see decoding when there is any
    assert len(gif_decodes) == 2


@pytest.mark.parametrize(
    ("frames", "size"),
    [(26, (2000, 2000)), (1001, (2, 2)), (1, (6400, 6400)), (2, (6300, 6500))],
    ids=["104-megapixels-in-all", "1001-frames", "one-frame-of-41-megapixels", "41-per-frame"],
)
def test_animations_over_budget_are_refused_undecoded(gif_decodes, frames, size):
    with pytest.raises(PayloadTooLarge):
        media.process_image(images.huge_animation(frames=frames, size=size))
    assert gif_decodes == []


def test_animations_within_budget_are_accepted():
    stored = media.process_image(images.huge_animation(frames=1000, size=(2, 2)))
    assert reopen(stored).n_frames == 1000
    stored = media.process_image(images.huge_animation(frames=24, size=(2000, 2000)))
    assert reopen(stored).n_frames == 24


def test_a_jpeg_carrying_more_pictures_is_a_jpeg():
    # MPO: what some cameras and phones write; Pillow names the format apart.
    out = io.BytesIO()
    first, second = Image.new("RGB", (32, 16), "red"), Image.new("RGB", (32, 16), "blue")
    first.save(out, format="MPO", save_all=True, append_images=[second])
    stored = media.process_image(out.getvalue())
    assert stored.content_type == "image/jpeg"
    assert reopen(stored).format == "JPEG"


def test_text_named_png_is_refused_by_content():
    with pytest.raises(UnsupportedMedia):
        media.process_image(b"just some text pretending to be a picture\n" * 10)


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "WEBP"])
def test_other_image_formats_are_refused(fmt):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format=fmt)
    with pytest.raises(UnsupportedMedia):
        media.process_image(out.getvalue())


def test_truncated_jpeg_is_refused():
    data = images.jpeg(size=(400, 300))
    with pytest.raises(ValidationError) as caught:
        media.process_image(data[: len(data) // 2], field="avatar")
    assert caught.value.fields == {"avatar": "the image is damaged"}


def test_truncated_animated_gif_is_refused():
    data = images.gif(frames=6, size=(64, 64))
    with pytest.raises((ValidationError, UnsupportedMedia)):
        media.process_image(data[: len(data) - len(data) // 3])


# Pillow says what it skips in the damaged EXIF blocks: expected here.
@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")
def test_every_prefix_and_mutation_is_stored_or_refused_with_the_contracts_error():
    """Bad input is never a 500: cut short anywhere, or with bytes changed, a JPEG (with EXIF
    and GPS), a PNG or a GIF is stored or refused with 413, 415 or 422, and nothing else."""
    seeds = [
        images.jpeg(gps=True, orientation=6),
        images.png(),
        images.gif(frames=3),
        images.animation(frames=3, duration=20, loop=0, disposal=2, comment=b"c"),
    ]
    randomness = random.Random(13)
    cases = [seed[:cut] for seed in seeds for cut in range(1, len(seed))]
    for seed in seeds:
        for _ in range(400):
            mutated = bytearray(seed)
            for _ in range(randomness.randint(1, 8)):
                at = randomness.randrange(len(mutated))
                if randomness.random() < 0.7:
                    mutated[at] = randomness.randrange(256)
                else:
                    del mutated[at : at + randomness.randint(1, 20)]
            cases.append(bytes(mutated))
    unexpected = []
    for data in cases:
        try:
            media.process_image(data)
        except ApiError:
            pass
        except Exception as error:  # what a 500 would have been
            unexpected.append(f"{type(error).__name__}: {error}")
    assert unexpected == []


def test_over_ten_mebibytes_is_refused():
    with pytest.raises(PayloadTooLarge):
        media.process_image(b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024))


def test_decompression_bomb_is_refused():
    data = images.bomb_png()
    assert len(data) < 100_000  # small on disk...
    with pytest.raises(PayloadTooLarge):  # ...100 megapixels decoded
        media.process_image(data)


def test_empty_file_is_a_validation_error():
    with pytest.raises(ValidationError):
        media.process_image(b"")


def test_a_file_is_staged_then_published_under_its_content_name(tmp_path):
    stored = media.process_image(images.png())
    staged = media.stage_file(tmp_path, stored)
    assert staged.name.startswith(stored.filename) and staged.name.endswith(".tmp")
    path = media.publish_file(staged)
    assert path == media.file_path(tmp_path, stored.sha256, stored.content_type)
    assert path.name == f"{stored.sha256}.png"
    assert path.read_bytes() == stored.data
    # The same content again: published over the first, one file.
    assert media.publish_file(media.stage_file(tmp_path, stored)) == path
    assert sorted(p.name for p in tmp_path.iterdir()) == [media.LOCK_NAME, path.name]


def test_a_discarded_upload_leaves_nothing(tmp_path):
    staged = media.stage_file(tmp_path, media.process_image(images.png()))
    media.discard_file(staged)
    assert list(tmp_path.iterdir()) == []


def waiting_for_lock(path: Path) -> bool:
    """Whether some process or thread is blocked on the lock of this file (/proc/locks)."""
    inode = f":{path.stat().st_ino} "
    return any("->" in line and inode in line for line in Path("/proc/locks").open())


async def test_publishing_waits_while_the_sweeper_holds_the_lock(tmp_path):
    stored = media.process_image(images.png())
    staged = media.stage_file(tmp_path, stored)
    sweeper = media.StorageLock(tmp_path, exclusive=True).acquire()
    published = trio.Event()

    async def publish():
        await trio.to_thread.run_sync(media.publish_file, staged)
        published.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(publish)
        with trio.fail_after(5):
            while not waiting_for_lock(tmp_path / media.LOCK_NAME):
                await trio.lowlevel.checkpoint()
        assert not published.is_set() and staged.exists()
        sweeper.release()
        with trio.fail_after(5):
            await published.wait()
    assert (tmp_path / stored.filename).read_bytes() == stored.data


def test_stale_files_are_found_by_name_and_age(tmp_path):
    stored = media.process_image(images.png())
    named = media.publish_file(media.stage_file(tmp_path, stored))
    staged = media.stage_file(tmp_path, media.process_image(images.jpeg()))
    other = tmp_path / "notes.txt"
    other.write_text("not ours")
    for path in (named, staged, other):
        os.utime(path, (1_000, 1_000))
    found = media.stale_files(tmp_path, modified_before=2_000)
    assert found.named == {stored.sha256: named}
    assert found.staged == [staged]
    assert media.stale_files(tmp_path, modified_before=500) == media.StaleFiles({}, [])
    assert media.stale_files(tmp_path / "absent", modified_before=2_000).named == {}
