"""A ticket's or visit's position: latitude, longitude and accuracy, all three or none.

The phone's *Gunakan lokasi saya* fills the three fields from the browser's
geolocation; the API takes the same names. Positions outside Indonesia or
vaguer than 5 km help nobody find the place and are refused.
"""
import math
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

FIELDS = ("latitude", "longitude", "accuracy_m")
# Indonesia's bounding box, from Weh (about 6°N) to Rote (about 11°S), Sabang (95°E) to Merauke (141°E).
LATITUDE_RANGE = (-11.0, 6.0)
LONGITUDE_RANGE = (95.0, 141.0)
ACCURACY_MAX_M = 5000


class Location(NamedTuple):
    latitude: float
    longitude: float
    accuracy_m: float


def _number(errors, field, value):
    """A finite float from a number or numeric text; None with an error otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        errors[field] = [_l("Must be a number.")]
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        errors[field] = [_l("Must be a number.")]
        return None
    return number


def clean_location(errors, latitude, longitude, accuracy_m):
    """The position as a Location, or None when none was given.

    Empty strings count as not given. Records a message under each bad
    field's name in ``errors`` (and returns None) when only some of the
    three are given, when one is not a number, when the point is outside
    Indonesia's bounding box, or when the accuracy is worse than 5 km.
    """
    given = dict(zip(FIELDS, (latitude, longitude, accuracy_m)))
    present = {field: value for field, value in given.items() if value not in (None, "")}
    if not present:
        return None
    found = {}
    for field in FIELDS:
        if field not in present:
            found[field] = [_l("Give latitude, longitude and accuracy together, or none of them.")]
    numbers = {field: _number(found, field, value) for field, value in present.items()}
    lat, lon, accuracy = (numbers.get(field) for field in FIELDS)
    if lat is not None and not LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1]:
        found["latitude"] = [_l("Outside Indonesia: the latitude must be between -11 and 6.")]
    if lon is not None and not LONGITUDE_RANGE[0] <= lon <= LONGITUDE_RANGE[1]:
        found["longitude"] = [_l("Outside Indonesia: the longitude must be between 95 and 141.")]
    if accuracy is not None and accuracy < 0:
        found["accuracy_m"] = [_l("Must be a number of metres, 0 or more.")]
    elif accuracy is not None and accuracy > ACCURACY_MAX_M:
        found["accuracy_m"] = [_l("Too imprecise: more than %(n)d m. Try again in the open.", n=ACCURACY_MAX_M)]
    if found:
        errors.update(found)
        return None
    # Six decimals of a degree and one of a metre are about 10 cm: finer digits are noise.
    return Location(round(lat, 6), round(lon, 6), round(accuracy, 1))


def location_from(data):
    """The three fields as a form or a JSON body gives them (absent: None), for ``clean_location``."""
    return {field: data.get(field) for field in FIELDS}


def geo_uri(latitude, longitude):
    """A ``geo:`` link (RFC 5870) that opens the phone's own map app with a pin; no tiles are fetched."""
    point = f"{latitude:.6f},{longitude:.6f}"
    return f"geo:{point}?q={point}"
