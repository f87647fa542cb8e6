"""What a Kemendagri code says: level, parent, kind, time zone."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.regions.codes import (
    WIB, WIT, WITA, CodeError, kind_of, level_of, normalize, parent_of, timezone_of,
)


@pytest.mark.parametrize("raw, dotted", [
    ("33", "33"), ("3313", "33.13"), ("331314", "33.13.14"), ("3313142005", "33.13.14.2005"),
    ("33.13.14.2005", "33.13.14.2005"), (" 33.13 ", "33.13"),
])
def test_codes_with_or_without_dots_normalise_to_dots(raw, dotted):
    assert normalize(raw) == dotted


@pytest.mark.parametrize("raw", ["", "3", "333", "33.1", "33.13.14.205", "3313.14", "33-13", "ab", "33.13.14.2005.1", None])
def test_anything_else_is_not_a_code(raw):
    with pytest.raises(CodeError):
        normalize(raw)


PLAIN_CODES = st.sampled_from([2, 4, 6, 10]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
)


@given(PLAIN_CODES)
def test_normalise_is_idempotent_and_keeps_the_digits(plain):
    dotted = normalize(plain)
    assert normalize(dotted) == dotted
    assert dotted.replace(".", "") == plain


def test_levels_and_parents():
    assert [level_of(c) for c in ("33", "33.13", "33.13.14", "33.13.14.2005")] == [1, 2, 3, 4]
    assert [parent_of(c) for c in ("33", "33.13", "33.13.14", "33.13.14.2005")] == [None, "33", "33.13", "33.13.14"]


@pytest.mark.parametrize("code, kind", [
    ("33", "province"), ("33.13", "regency"), ("33.69", "regency"), ("33.71", "city"), ("33.99", "city"),
    ("33.13.14", "district"), ("33.13.09.1001", "kelurahan"), ("33.13.14.2005", "desa"),
    ("51.03.01.3001", "desa_adat"),
])
def test_kind_comes_from_the_code(code, kind):
    assert kind_of(code) == kind


@pytest.mark.parametrize("province, zone", [
    *[(p, WIB) for p in (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 61, 62)],
    *[(p, WITA) for p in (51, 52, 53, 63, 64, 65, 71, 72, 73, 74, 75, 76)],
    *[(p, WIT) for p in (81, 82, 91, 92, 93, 94, 95, 96)],
])
def test_time_zone_comes_from_the_province(province, zone):
    assert timezone_of(f"{province}") == zone
    assert timezone_of(f"{province}.01.01.2001") == zone
