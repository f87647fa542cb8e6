"""Facts carried by a Kemendagri code (``PP.KK.CC.DDDD``).

Pure functions: no database, so the importer, the models and the scope
helper agree on one reading of a code.
"""
import re

PROVINCE, REGENCY, DISTRICT, VILLAGE = 1, 2, 3, 4
LEVEL_DIGITS = {2: PROVINCE, 4: REGENCY, 6: DISTRICT, 10: VILLAGE}

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
TIMEZONE_LABELS = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}
_WITA_PROVINCES = {51, 52, 53, 63, 64, 65, 71, 72, 73, 74, 75, 76}
_WIT_PROVINCES = {81, 82, 91, 92, 93, 94, 95, 96}

_DOTTED = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_PLAIN = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{4})?)?)?$")


class CodeError(ValueError):
    """A string that is not a Kemendagri region code."""


def normalize(raw):
    """Return the dotted form of a code given with or without dots.

    >>> normalize("3313142005")
    '33.13.14.2005'
    """
    code = (raw or "").strip()
    if _DOTTED.match(code):
        return code
    if _PLAIN.match(code):
        parts = [code[0:2], code[2:4], code[4:6], code[6:10]]
        return ".".join(p for p in parts if p)
    raise CodeError(f"{raw!r} is not a region code (expected PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD)")


def level_of(code):
    """1 province, 2 kabupaten/kota, 3 kecamatan, 4 village."""
    return LEVEL_DIGITS[len(code.replace(".", ""))]


def parent_of(code):
    """The code one level up, or None for a province."""
    return code.rsplit(".", 1)[0] if "." in code else None


def kind_of(code):
    """What a code names: province, regency, city, district, kelurahan, desa, desa_adat."""
    level = level_of(code)
    if level == PROVINCE:
        return "province"
    if level == REGENCY:
        return "city" if int(code[3:5]) >= 71 else "regency"
    if level == DISTRICT:
        return "district"
    lead = code[-4]
    if lead == "1":
        return "kelurahan"
    if lead == "3":
        return "desa_adat"
    return "desa"


def timezone_of(code):
    """The IANA time zone of a code, from its province (no daylight saving)."""
    province = int(code[:2])
    if province in _WITA_PROVINCES:
        return WITA
    if province in _WIT_PROVINCES:
        return WIT
    return WIB
