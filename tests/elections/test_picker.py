"""The election form's area picker: desa ticked by kecamatan, a Kodim's own kabupaten by default,
an administrator's desa one kabupaten at a time; all of it without JavaScript."""
import re
from datetime import date

import pytest
from sqlalchemy import event, func, select

from tests.plugins.world import JATEN, KEBAK, KEMIRI, LALUNG, SRAGEN_VILLAGE, WARU
from tracker.extensions import db

KEBAKKRAMAT = "33.13.14"


def ticked(html, name):
    """The values of the ticked checkboxes named ``name``."""
    return set(re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)" checked', html))


def offered(html, name):
    return set(re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)"', html))


def pilkades_desa(district=None):
    """Codes of the desa holding a Pilkades (kelurahan left out), of one kecamatan or Karanganyar."""
    from tracker.regions.models import Region

    stmt = select(Region.code).where(Region.level == 4, Region.kind.in_(("desa", "desa_adat")),
                                     Region.regency_code == "33.13")
    if district:
        stmt = stmt.where(Region.district_code == district)
    return set(db.session.execute(stmt).scalars())


def created():
    from tracker.elections.models import Election

    return db.session.execute(select(Election)).scalars().all()


PILKADES = {"kind": "pilkades", "name": "Pilkades 2026", "voting_on": "2026-12-20"}
PILKADA = {"kind": "pilkada", "name": "Pilkada 2026", "voting_on": "2026-11-27"}


def test_a_kodim_is_offered_his_desa_by_kecamatan_and_his_kabupaten_ticked(client, login, area):
    login("dandim")
    html = client.get("/elections/new").get_data(as_text=True)
    assert offered(html, "villages") == pilkades_desa()
    assert LALUNG not in offered(html, "villages") and SRAGEN_VILLAGE not in html   # a kelurahan; Sragen
    assert f'name="districts" value="{KEBAKKRAMAT}"' in html and "Semua desa di Kebakkramat" in html
    assert offered(html, "regions") == ticked(html, "regions") == {"33.13"}
    assert 'name="scope_kind"' not in html and "Nasional" not in html                 # no national choice
    assert 'name="regency"' not in html and 'name="codes"' not in html


def test_a_kodims_pilkada_takes_his_kabupaten_as_offered(client, login, area):
    login("dandim")
    response = client.post("/elections/new", data={**PILKADA, "regions": ["33.13"]})
    assert response.status_code == 302
    [election] = created()
    assert (election.scope_kind, [a.region_code for a in election.areas]) == ("regions", ["33.13"])


def test_a_kodim_sending_national_is_refused_under_the_field(client, login, area):
    login("dandim")
    response = client.post("/elections/new", data={**PILKADA, "scope_kind": "national"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="scope_kind-error"' in html and 'href="#scope_kind"' in html
    assert created() == []


def test_a_whole_kecamatan_ticked_without_javascript_chooses_all_its_desa(client, login, area):
    login("dandim")
    response = client.post("/elections/new", data={**PILKADES, "districts": [KEBAKKRAMAT]})
    assert response.status_code == 302
    [election] = created()
    codes = {a.region_code for a in election.areas}
    assert codes == pilkades_desa(KEBAKKRAMAT) and {KEMIRI, KEBAK, WARU} <= codes
    assert JATEN not in codes


def test_a_whole_kecamatan_shown_again_shows_each_desa_ticked_so_one_can_be_unticked(client, login, area):
    login("dandim")
    html = client.post("/elections/new", data={**PILKADES, "districts": [KEBAKKRAMAT], "preview": "1"}
                       ).get_data(as_text=True)
    assert ticked(html, "villages") == pilkades_desa(KEBAKKRAMAT)
    assert ticked(html, "districts") == set()      # the desa carry the choice from now on
    assert re.search(r'<details class="area-group" data-group open>\s*<summary>Kebakkramat', html)
    assert re.search(r'<details class="area-group" data-group>\s*<summary>Jaten', html)
    kept = sorted(pilkades_desa(KEBAKKRAMAT) - {WARU})
    assert client.post("/elections/new", data={**PILKADES, "villages": kept}).status_code == 302
    assert {a.region_code for a in created()[0].areas} == set(kept)


def test_a_desa_and_its_whole_kecamatan_together_count_once(client, login, area):
    login("dandim")
    response = client.post("/elections/new", data={**PILKADES, "villages": [KEMIRI, JATEN],
                                                    "districts": [KEBAKKRAMAT]})
    assert response.status_code == 302
    assert {a.region_code for a in created()[0].areas} == pilkades_desa(KEBAKKRAMAT) | {JATEN}


def test_a_kecamatan_outside_the_kodims_area_adds_nothing(client, login, area):
    login("dandim")
    response = client.post("/elections/new", data={**PILKADES, "districts": ["33.14.01"]})
    assert response.status_code == 422
    assert "Pilih sekurang-kurangnya satu desa." in response.get_data(as_text=True)
    assert created() == []


def test_nothing_ticked_is_refused_under_the_picker_and_in_the_summary(client, login, area):
    login("dandim")
    response = client.post("/elections/new", data=PILKADES)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="villages-error"' in html and 'aria-describedby="villages-error"' in html
    assert 'href="#villages"' in html and 'id="villages"' in html
    response = client.post("/elections/new", data=PILKADA)
    assert response.status_code == 422
    assert "Pilih sekurang-kurangnya satu provinsi atau kabupaten." in response.get_data(as_text=True)


def test_the_edit_form_ticks_the_elections_desa(client, login, area, make_election):
    election = make_election("pilkades", date(2026, 12, 20), scope={"villages": [KEMIRI, JATEN]})
    login("dandim")
    html = client.get(f"/elections/{election.id}/edit").get_data(as_text=True)
    assert ticked(html, "villages") == {KEMIRI, JATEN}
    assert 'data-area="regions"' not in html                       # a Pilkades has desa only
    assert "1 dari" in html


def test_an_administrator_lists_the_desa_of_one_kabupaten_at_a_time(client, login, area):
    login("admin")
    html = client.get("/elections/new").get_data(as_text=True)
    assert offered(html, "villages") == set()
    assert '<option value="33.13">Kabupaten Karanganyar</option>' in html
    assert 'value="national"' in html
    html = client.post("/elections/new", data={**PILKADES, "regency": "33.13", "pick": "1"}).get_data(as_text=True)
    assert offered(html, "villages") == pilkades_desa()
    # Desa ticked in Karanganyar stay ticked while he looks at Sragen.
    html = client.post("/elections/new", data={**PILKADES, "regency": "33.14", "pick": "1",
                                               "villages": [KEMIRI]}).get_data(as_text=True)
    assert SRAGEN_VILLAGE in offered(html, "villages") and ticked(html, "villages") == {KEMIRI}
    assert "Dicentang di kabupaten lain" in html
    response = client.post("/elections/new", data={**PILKADES, "regency": "33.14",
                                                   "villages": [KEMIRI, SRAGEN_VILLAGE]})
    assert response.status_code == 302
    assert {a.region_code for a in created()[0].areas} == {KEMIRI, SRAGEN_VILLAGE}


def test_an_administrator_ticks_a_whole_province_or_a_national_election(client, login, area):
    login("admin")
    html = client.get("/elections/new").get_data(as_text=True)
    assert {"33", "33.13", "33.14", "94", "94.01"} <= offered(html, "regions") and ticked(html, "regions") == set()
    assert client.post("/elections/new", data={**PILKADA, "scope_kind": "regions", "regions": ["33"]}).status_code == 302
    assert client.post("/elections/new", data={**PILKADA, "name": "Pilpres", "kind": "pilpres",
                                               "scope_kind": "national"}).status_code == 302
    assert sorted((e.scope_kind, [a.region_code for a in e.areas]) for e in created()) == [
        ("national", []), ("regions", ["33"])]


def test_the_english_form_names_its_picker_in_english(client, login, area, db):
    area.kodim.locale = "en"
    db.session.commit()
    login("dandim")
    html = client.get("/elections/new").get_data(as_text=True)
    assert "All desa of Kebakkramat" in html and "Participating desa" in html and "0 of " in html


@pytest.mark.parametrize("junk", ["\x00", "x" * 5000, "33.13.14\x00", "..", "33.13.14.2005.1", "²²"])
def test_junk_in_the_picker_is_an_answer_not_a_crash(client, login, area, junk):
    login("admin")
    for data in ({**PILKADES, "villages": [junk]}, {**PILKADES, "districts": [junk], "villages": [KEMIRI]},
                 {**PILKADES, "regency": junk, "pick": "1"}, {**PILKADES, "regency": junk, "villages": [KEMIRI]},
                 {**PILKADA, "scope_kind": "regions", "regions": [junk]}):
        response = client.post("/elections/new", data=data)
        assert response.status_code in (200, 302, 422), data
    assert all(a.region_code == KEMIRI for e in created() for a in e.areas)


def test_the_kodims_form_costs_a_fixed_number_of_queries(client, login, area, app):
    login("dandim")
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        html = client.get("/elections/new").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(offered(html, "villages")) == len(pilkades_desa()) > 100
    assert len(statements) <= 12, len(statements)


def test_every_offered_desa_holds_a_pilkades(client, login, area):
    from tracker.regions.models import Region

    login("dandim")
    codes = offered(client.get("/elections/new").get_data(as_text=True), "villages")
    kinds = db.session.execute(select(Region.kind, func.count()).where(Region.code.in_(codes))
                               .group_by(Region.kind)).all()
    assert {kind for kind, _n in kinds} <= {"desa", "desa_adat"}


def test_a_kodim_of_two_kabupaten_keeps_both_lists_after_ticking_one(client, login, area, make_unit, make_user):
    unit = make_unit("kodim", "Kodim Gabungan", regions=["33.13", "33.14"])
    make_user("kodim", unit=unit, username="dandim.gabungan")
    login("dandim.gabungan")
    html = client.post("/elections/new", data={**PILKADES, "villages": [KEMIRI], "preview": "1"}).get_data(as_text=True)
    assert {KEMIRI, SRAGEN_VILLAGE} <= offered(html, "villages") and ticked(html, "villages") == {KEMIRI}
    assert 'name="regency"' not in html
    assert offered(html, "regions") == {"33.13", "33.14"}
