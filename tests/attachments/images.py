"""Image files built in the test, with Pillow: photos with GPS EXIF, rotated ones, bombs, other types."""
import io
import struct
import zlib

from PIL import Image

RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Kemiri, Kebakkramat: where an informant's photo would point.
GPS = {1: "S", 2: (7.0, 31.0, 12.5), 3: "E", 4: (110.0, 55.0, 3.25)}


def encode(image, fmt, **params):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg(size=(400, 300), color=RED, **params):
    return encode(Image.new("RGB", size, color), "JPEG", **params)


def jpeg_with_gps(size=(400, 300), orientation=None):
    """A JPEG carrying GPS coordinates, a camera model, a comment and XMP, as a phone might write."""
    exif = Image.Exif()
    exif[0x0110] = "Informant Phone X"  # Model
    exif[GPS_IFD] = GPS
    if orientation is not None:
        exif[ORIENTATION] = orientation
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>7,31.2S</exif:GPSLatitude></x:xmpmeta>'
    return encode(Image.new("RGB", size, RED), "JPEG", exif=exif, comment=b"rumah pak kades", xmp=xmp)


def sideways_jpeg(orientation=6):
    """400x200 as stored, left half red and right half blue, with an EXIF orientation.

    Orientation 6 means "rotate 90 degrees clockwise to display": shown
    upright it is 200x400 with red on top.
    """
    image = Image.new("RGB", (400, 200), BLUE)
    image.paste(RED, (0, 0, 200, 200))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return encode(image, "JPEG", exif=exif, quality=95)


def png(size=(300, 200), mode="RGB", color=BLUE):
    return encode(Image.new(mode, size, color), "PNG")


def transparent_png(size=(200, 200)):
    """Left half opaque red, right half fully transparent."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((*RED, 255), (0, 0, size[0] // 2, size[1]))
    return encode(image, "PNG")


def webp(size=(300, 200)):
    return encode(Image.new("RGB", size, BLUE), "WEBP")


def gif(size=(50, 50)):
    return encode(Image.new("P", size), "GIF")


def bmp(size=(50, 50)):
    return encode(Image.new("RGB", size), "BMP")


def cmyk_jpeg(size=(120, 80)):
    return encode(Image.new("CMYK", size, (0, 255, 255, 0)), "JPEG")


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width=50_000, height=50_000):
    """A PNG of a few dozen bytes whose header claims width x height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00"))
            + _chunk(b"IEND", b""))


# An ISO-BMFF header as an iPhone's HEIC photo starts.
HEIC_HEADER = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def jpeg_segments(data):
    """The marker bytes of a JPEG's segments before its image data (0xE0 APP0, 0xE1 EXIF/XMP, 0xFE comment ...)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, position = [], 2
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the image data follows
            break
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        markers.append(marker)
        position += 2 + length
    return markers


METADATA_MARKERS = {0xE1: "APP1 (EXIF, XMP)", 0xE2: "APP2 (ICC)", 0xED: "APP13 (IPTC)", 0xFE: "COM (comment)"}


def metadata_in(data):
    """Names of the metadata segments a JPEG carries; empty for a clean one."""
    return [METADATA_MARKERS[m] for m in jpeg_segments(data) if m in METADATA_MARKERS]
