"""Image rules of SPEC.md, on the processing function itself (no server needed)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server import media
from server.errors import PayloadTooLarge, UnsupportedMedia, ValidationError
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


def test_animated_gif_keeps_every_frame():
    original = images.gif(frames=5)
    stored = media.process_image(original)
    result = reopen(stored)
    assert stored.content_type == "image/gif"
    assert result.n_frames == 5
    assert result.info.get("duration") == 80


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


def test_files_are_named_by_content(tmp_path):
    stored = media.process_image(images.png())
    path = media.write_file(tmp_path, stored)
    assert path.name == f"{stored.sha256}.png"
    assert path.read_bytes() == stored.data
    assert media.write_file(tmp_path, stored) == path  # idempotent
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
