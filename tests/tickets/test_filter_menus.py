"""The ticket list's kecamatan and desa menus: the user's own, and none when there are too many to list."""
import pytest

from tests.plugins.world import KEBAK, KEMIRI, WARU
from tracker.tickets import forms


def test_a_koramil_gets_his_kecamatan_and_villages_by_name(world):
    assert forms.district_options(world.koramil) == [("33.13.14", "Kebakkramat")]
    [(district, villages)] = forms.village_options(world.koramil, "33.13.14")
    assert district == "Kebakkramat"
    assert {code for code, _name in villages} >= {KEMIRI, KEBAK, WARU}
    assert [name for _code, name in villages] == sorted(name for _code, name in villages)
    assert forms.village_options(world.kodim_other, "33.13.14") == []


def test_a_babinsa_gets_only_his_villages(world):
    [(_district, villages)] = forms.village_options(world.babinsa)
    assert {code for code, _name in villages} == {KEMIRI, KEBAK}


@pytest.mark.parametrize("role", ["admin", "kodim"])
def test_too_many_choices_give_no_menu_without_sorting_them_all(world, role, monkeypatch, count_queries):
    monkeypatch.setattr(forms, "CHOICE_LIMIT", 1)
    user = getattr(world, role)
    with count_queries() as statements:
        assert forms.village_options(user) is None
        assert forms.district_options(user) is None
    # One capped count each (besides reading a unit's covered codes): the names are never
    # read, let alone sorted.
    on_regions = [sql for sql in statements if "FROM region" in sql]
    assert len(on_regions) == 2
    assert all("ORDER BY" not in sql and "LIMIT" in sql for sql in on_regions)
