"""GET /api/v1/villages: scoped, searchable, paginated."""
import pytest
from sqlalchemy import func, select

from tests.plugins.world import GEDONG, JATEN, KEMIRI, WARU
from tracker.auth import cache as auth_cache
from tracker.regions.models import Region


def _codes(response):
    assert response.status_code == 200, response.get_json()
    return [item["code"] for item in response.get_json()["items"]]


def test_a_village_has_code_name_kind_and_the_names_of_its_kecamatan_and_kabupaten(world):
    body = world.get("babinsa", "/api/v1/villages").get_json()
    assert body == {
        "items": [{"code": KEMIRI, "name": "Kemiri", "kind": "desa", "district": "Kebakkramat",
                   "regency": "Kabupaten Karanganyar"}],
        "total": 1, "page": 1, "per_page": 25,
    }


@pytest.mark.parametrize("who,prefix,inside,outside", [
    ("babinsa", KEMIRI, {KEMIRI}, {WARU, JATEN, GEDONG}),
    ("babinsa_same_village", None, {KEMIRI, WARU}, {JATEN, GEDONG}),
    ("koramil", "33.13.14.", {KEMIRI, WARU}, {JATEN, GEDONG}),
    ("kodim", "33.13.", {KEMIRI, WARU, JATEN}, {GEDONG}),
    ("admin", "", {KEMIRI, WARU, JATEN, GEDONG}, set()),
])
def test_the_list_and_its_total_hold_only_the_callers_villages(db, world, who, prefix, inside, outside):
    if prefix is None:
        expected_total = len(inside)
    else:
        expected_total = db.session.scalar(
            select(func.count()).select_from(Region).where(Region.level == 4, Region.code.startswith(prefix)))
    assert world.get(who, "/api/v1/villages").get_json()["total"] == expected_total
    for code in inside:
        assert _codes(world.get(who, f"/api/v1/villages?q={code}")) == [code]
    for code in outside:
        assert _codes(world.get(who, f"/api/v1/villages?q={code}")) == []


def test_a_koramil_gets_every_village_of_its_kecamatan(world):
    body = world.get("koramil", "/api/v1/villages?per_page=100").get_json()
    assert body["total"] == 10
    assert all(code.startswith("33.13.14.") for code in _codes(world.get("koramil", "/api/v1/villages")))


def test_q_matches_names_in_any_case_and_code_prefixes(world):
    assert _codes(world.get("koramil", "/api/v1/villages?q=kEmIr")) == [KEMIRI]
    items = world.get("koramil", "/api/v1/villages?q=33.13.14.200").get_json()["items"]
    assert {v["code"] for v in items} == {f"33.13.14.200{n}" for n in range(1, 10)}
    assert [v["name"] for v in items] == sorted(v["name"] for v in items)


@pytest.mark.parametrize("q", ["%", "_", "\\"])
def test_like_wildcards_in_q_are_taken_literally(world, q):
    assert world.get("koramil", "/api/v1/villages", query_string={"q": q}).get_json()["total"] == 0


def test_pages_split_the_list_in_name_order(world):
    first = world.get("koramil", "/api/v1/villages?per_page=4&page=1").get_json()
    third = world.get("koramil", "/api/v1/villages?per_page=4&page=3").get_json()
    beyond = world.get("koramil", "/api/v1/villages?per_page=4&page=9").get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (10, 1, 4, 4)
    assert len(third["items"]) == 2
    names = [v["name"] for v in first["items"] + world.get(
        "koramil", "/api/v1/villages?per_page=4&page=2").get_json()["items"] + third["items"]]
    assert names == sorted(names)
    assert beyond["items"] == [] and beyond["total"] == 10


@pytest.mark.parametrize("query,field", [
    ("per_page=101", "per_page"), ("per_page=0", "per_page"), ("page=0", "page"),
    ("page=abc", "page"), ("page=%C2%B2", "page"), ("page=99999999999999999999", "page"),
    ("q=" + "x" * 121, "q"), ("q=a%00b", "q"),
])
def test_bad_paging_or_query_answers_422_naming_the_parameter(world, query, field):
    response = world.get("koramil", f"/api/v1/villages?{query}")
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_the_number_of_queries_does_not_grow_with_the_page(db, world, count_queries):
    world.headers("kodim")
    counts = []
    for per_page in (2, 100):
        db.session.expire_all()  # as in a fresh request: nothing cached in the session
        db.session.info.clear()  # (the scope's codes included)
        auth_cache.clear()  # and the user and his codes kept per process
        with count_queries() as statements:
            assert world.get("kodim", f"/api/v1/villages?per_page={per_page}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
