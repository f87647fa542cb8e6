"""A position is latitude, longitude and accuracy together, inside Indonesia, at most 5 km vague."""
import math

import pytest

from tracker.geo.location import Location, clean_location, geo_uri

# Balai Desa Kemiri, Kebakkramat.
KEMIRI = ("-7.5312", "110.9175", "12.5")


def check(*values):
    errors = {}
    return clean_location(errors, *values), errors


def test_a_position_from_the_form_becomes_numbers():
    assert check(*KEMIRI) == (Location(-7.5312, 110.9175, 12.5), {})


def test_a_position_from_json_numbers_is_accepted_and_rounded():
    location, errors = check(-7.53123456789, 110.917512345, 12.3456)
    assert errors == {} and location == Location(-7.531235, 110.917512, 12.3)


@pytest.mark.parametrize("values", [(None, None, None), ("", "", "")])
def test_no_position_is_fine(values):
    assert check(*values) == (None, {})


@pytest.mark.parametrize("values, missing", [
    (("-7.5", "110.9", None), {"accuracy_m"}),
    (("-7.5", "", ""), {"longitude", "accuracy_m"}),
    ((None, None, "20"), {"latitude", "longitude"}),
])
def test_all_three_or_none(values, missing):
    location, errors = check(*values)
    assert location is None and set(errors) == missing


@pytest.mark.parametrize("values, field", [
    (("6.01", "110.9", "10"), "latitude"),      # north of Weh
    (("-11.2", "110.9", "10"), "latitude"),     # south of Rote
    (("-7.5", "94.9", "10"), "longitude"),      # west of Sabang
    (("-7.5", "141.1", "10"), "longitude"),     # east of Merauke: Papua New Guinea
    (("1.29", "103.85", "10"), None),           # Singapore is inside the box: a box, not a border
    (("-7.5", "110.9", "5000.1"), "accuracy_m"),
    (("-7.5", "110.9", "-1"), "accuracy_m"),
])
def test_outside_indonesia_or_too_vague_is_refused_naming_the_field(values, field):
    location, errors = check(*values)
    if field is None:
        assert errors == {} and location is not None
    else:
        assert location is None and list(errors) == [field]


@pytest.mark.parametrize("values", [("6", "95", "0"), ("-11", "141", "5000")])
def test_the_edges_of_the_box_are_inside(values):
    location, errors = check(*values)
    assert errors == {} and location is not None


@pytest.mark.parametrize("bad", ["abc", "nan", "inf", "-inf", True, [1], {"lat": 1}, "1e999"])
def test_what_is_not_a_finite_number_is_refused(app, bad):
    location, errors = check(bad, "110.9", "10")
    assert location is None and errors == {"latitude": ["Harus berupa angka."]}


def test_the_messages_say_what_to_do(app):
    _location, errors = check("9", "150", "9000")
    assert {field: [str(m) for m in messages] for field, messages in errors.items()} == {
        "latitude": ["Di luar Indonesia: lintang harus antara -11 dan 6."],
        "longitude": ["Di luar Indonesia: bujur harus antara 95 dan 141."],
        "accuracy_m": ["Terlalu tidak akurat: lebih dari 5000 m. Coba lagi di tempat terbuka."],
    }


def test_the_geo_link_opens_the_phones_map_app_with_a_pin():
    assert geo_uri(-7.5312, 110.9175) == "geo:-7.531200,110.917500?q=-7.531200,110.917500"


def test_tickets_and_visits_keep_a_position(world, make_ticket, db):
    from datetime import date

    from tracker.visits.models import Visit

    ticket = make_ticket(world.babinsa)
    visit = Visit(babinsa_id=world.babinsa.id, village_code=ticket.village_code, visited_on=date(2026, 3, 9))
    db.session.add(visit)
    for record in (ticket, visit):
        record.latitude, record.longitude, record.accuracy_m = Location(-7.531235, 110.917512, 12.3)
    db.session.commit()
    db.session.expire_all()
    for record in (ticket, visit):
        assert math.isclose(record.latitude, -7.531235) and math.isclose(record.longitude, 110.917512)
        assert record.accuracy_m == 12.3
