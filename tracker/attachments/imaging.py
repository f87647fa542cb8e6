"""Re-encoding an uploaded photo with Pillow: nothing of the file as sent is kept.

Every photo is decoded, turned upright by its EXIF orientation, capped at
1600 px on its long side and written again as a JPEG built from the pixels
alone, so no metadata survives: EXIF GPS in a photo can expose an informant,
and comments, XMP and colour profiles go the same way. A 320 px thumbnail
is made from the result.

Output is always JPEG, transparency flattened onto white: field photos and
screenshots need nothing else, and one format keeps the phones, the
thumbnails and the storage simple.

HEIC is refused. The phone's JavaScript re-encodes every photo to JPEG
before queueing it, and phones' file pickers hand over JPEG for
``accept="image/*"``; a HEIF plugin (pillow-heif) would add a bundled
libheif/libde265 decoder, with its own security record and HEVC patent
questions, for uploads that do not arrive.
"""
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

# Pillow tries only these decoders on an upload: no other parser (EPS via
# Ghostscript, TIFF, ...) ever sees user bytes.
FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPE = "image/jpeg"
MAX_SIDE = 1600
THUMBNAIL_SIDE = 320
QUALITY = 82
THUMBNAIL_QUALITY = 75


class ImageRefused(Exception):
    """The upload cannot become a photo; ``reason`` is ``type``, ``pixels`` or ``unreadable``."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Photo:
    """A re-encoded photo: the image and its thumbnail as JPEG bytes."""

    content_type: str
    width: int
    height: int
    image: bytes
    thumbnail: bytes


def reencode(data, *, max_pixels):
    """Decode ``data`` (JPEG, PNG or WebP) and return it as a clean Photo.

    Raises ImageRefused: ``type`` for anything else, ``pixels`` for more
    than ``max_pixels`` pixels (a decompression bomb: a few kilobytes that
    decode to gigabytes), ``unreadable`` for a broken file. The size check
    reads the header only, before any pixel is decoded.
    """
    try:
        source = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.UnidentifiedImageError:
        raise ImageRefused("type") from None
    except Image.DecompressionBombError:  # far beyond max_pixels: Pillow's own limit caught it
        raise ImageRefused("pixels") from None
    except Exception:  # a decoder of untrusted bytes fails in many ways; all mean the same here
        raise ImageRefused("unreadable") from None
    if source.width * source.height > max_pixels:
        raise ImageRefused("pixels")
    try:
        return _reencode(source)
    except Image.DecompressionBombError:
        raise ImageRefused("pixels") from None
    except Exception:
        raise ImageRefused("unreadable") from None


def _reencode(source):
    if source.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale when that still covers the cap:
        # a 12 MP photo then takes a quarter of the memory and time.
        source.draft("RGB", _capped(source.size, MAX_SIDE))
    # Orientation first, while the EXIF that says it is still there.
    upright = ImageOps.exif_transpose(source)
    upright = _flatten(upright)
    upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = _pixels_only(upright)
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return Photo(
        content_type=CONTENT_TYPE, width=clean.width, height=clean.height,
        image=_jpeg(clean, QUALITY, progressive=True), thumbnail=_jpeg(thumbnail, THUMBNAIL_QUALITY),
    )


def _capped(size, side):
    """``size`` scaled down so its long side is at most ``side``."""
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _flatten(image):
    """An RGB or greyscale image; transparent parts become white."""
    if image.mode in ("RGB", "L"):
        return image
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _pixels_only(image):
    """A new image from the pixels alone: no EXIF, comment, XMP or ICC profile can follow."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _jpeg(image, quality, progressive=False):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=progressive)
    return buffer.getvalue()
