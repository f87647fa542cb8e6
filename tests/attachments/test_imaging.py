"""Every upload is re-encoded: upright, metadata gone, capped at 1600 px, with a 320 px thumbnail;
anything that is not a sound JPEG, PNG or WebP of sane size is refused."""
import io

import pytest
from PIL import Image

from tests.attachments import images
from tracker.attachments.imaging import ImageRefused, reencode

MAX_PIXELS = 40_000_000


def opened(data):
    return Image.open(io.BytesIO(data))


def test_a_photos_gps_exif_comment_and_xmp_are_gone_after_reencoding():
    original = images.jpeg_with_gps()
    assert "APP1 (EXIF, XMP)" in images.metadata_in(original)  # the test photo really carries them

    photo = reencode(original, max_pixels=MAX_PIXELS)

    for data in (photo.image, photo.thumbnail):
        assert images.metadata_in(data) == []
        image = opened(data)
        assert dict(image.getexif()) == {}
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
        assert b"Informant" not in data and b"GPSLatitude" not in data and b"pak kades" not in data


def test_the_exif_orientation_is_applied_to_the_pixels():
    photo = reencode(images.sideways_jpeg(orientation=6), max_pixels=MAX_PIXELS)
    image = opened(photo.image).convert("RGB")
    assert (photo.width, photo.height) == image.size == (200, 400)
    top, bottom = image.getpixel((100, 50)), image.getpixel((100, 350))
    assert top[0] > 180 and top[2] < 80, top       # red on top, as the phone showed it
    assert bottom[2] > 180 and bottom[0] < 80, bottom


@pytest.mark.parametrize("size, expected", [
    ((4000, 1000), (1600, 400)),
    ((1000, 4000), (400, 1600)),
    ((3264, 2448), (1600, 1200)),
    ((800, 600), (800, 600)),  # never enlarged
])
def test_the_long_side_is_capped_at_1600_px(size, expected):
    photo = reencode(images.jpeg(size), max_pixels=MAX_PIXELS)
    assert (photo.width, photo.height) == expected == opened(photo.image).size


@pytest.mark.parametrize("size, expected", [((4000, 1000), (320, 80)), ((600, 900), (213, 320)), ((100, 50), (100, 50))])
def test_the_thumbnail_fits_320_px(size, expected):
    photo = reencode(images.jpeg(size), max_pixels=MAX_PIXELS)
    thumbnail = opened(photo.thumbnail)
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == expected


@pytest.mark.parametrize("build", [images.jpeg, images.png, images.webp, images.cmyk_jpeg],
                         ids=["jpeg", "png", "webp", "cmyk-jpeg"])
def test_jpeg_png_and_webp_are_accepted_and_stored_as_rgb_jpeg(build):
    photo = reencode(build(), max_pixels=MAX_PIXELS)
    image = opened(photo.image)
    assert photo.content_type == "image/jpeg"
    assert image.format == "JPEG" and image.mode == "RGB"


def test_a_greyscale_png_stays_greyscale():
    image = opened(reencode(images.png(mode="L", color=128), max_pixels=MAX_PIXELS).image)
    assert image.mode == "L"


def test_transparency_is_flattened_onto_white():
    image = opened(reencode(images.transparent_png(), max_pixels=MAX_PIXELS).image).convert("RGB")
    red, white = image.getpixel((50, 100)), image.getpixel((150, 100))
    assert red[0] > 180 and red[1] < 80
    assert min(white) > 240


@pytest.mark.parametrize("data", [
    images.gif(), images.bmp(), images.HEIC_HEADER, b"%PDF-1.7\n1 0 obj", b"hello, this is text", b"",
], ids=["gif", "bmp", "heic", "pdf", "text", "empty"])
def test_other_types_are_refused(data):
    with pytest.raises(ImageRefused) as refused:
        reencode(data, max_pixels=MAX_PIXELS)
    assert refused.value.reason == "type"


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = images.png_bomb(50_000, 50_000)  # 2.5 gigapixels in a few dozen bytes
    assert len(bomb) < 200
    with pytest.raises(ImageRefused) as refused:
        reencode(bomb, max_pixels=MAX_PIXELS)
    assert refused.value.reason == "pixels"


def test_an_image_over_the_configured_pixel_limit_is_refused():
    data = images.png((8000, 5001), mode="1", color=1)  # 40,008,000 pixels, a few kilobytes
    with pytest.raises(ImageRefused) as refused:
        reencode(data, max_pixels=MAX_PIXELS)
    assert refused.value.reason == "pixels"
    assert reencode(images.jpeg((100, 100)), max_pixels=10_000).width == 100  # at the limit: accepted


def test_a_truncated_photo_is_refused_as_unreadable():
    data = images.jpeg((800, 600), color=(10, 200, 30))
    with pytest.raises(ImageRefused) as refused:
        reencode(data[: len(data) // 2], max_pixels=MAX_PIXELS)
    assert refused.value.reason == "unreadable"
