"""Command units: the Kodam > Korem > Kodim > Koramil tree and the regions they cover."""
import pytest
from sqlalchemy import func, select

from tracker.errors import ValidationError
from tracker.regions.codes import WIB, WIT, WITA
from tracker.regions.services import import_regions
from tracker.units.models import Unit
from tracker.units.services import create_unit, set_unit_regions


@pytest.fixture
def tree(regions, make_unit):
    kodam = make_unit("kodam", "Kodam IV/Diponegoro", number="IV")
    korem = make_unit("korem", "Korem 074/Warastratama", parent=kodam, number="074")
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], parent=korem, number="0727")
    return {"kodam": kodam, "korem": korem, "kodim": kodim}


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["units", *args])


def _units(db):
    return db.session.execute(select(func.count()).select_from(Unit)).scalar_one()


def test_kodim_covers_kabupaten_and_koramil_kecamatan(db, tree):
    koramil = create_unit(kind="koramil", name="Koramil 03/Kebakkramat", number="03",
                          parent=tree["kodim"], region_codes=["331314"])
    db.session.commit()
    assert koramil.region_codes == ["33.13.14"]
    assert koramil.kodim() is tree["kodim"]
    assert tree["kodim"].kodim() is tree["kodim"]
    assert tree["korem"].kodim() is None


@pytest.mark.parametrize("kind, codes, message", [
    ("kodim", ["33.13.14"], "Bukan kabupaten/kota yang dikenal: 33.13.14"),
    ("koramil", ["33.13"], "Bukan kecamatan yang dikenal: 33.13"),
    ("koramil", ["33.13.99"], "Bukan kecamatan yang dikenal: 33.13.99"),
    ("koramil", ["Kebakkramat"], "Bukan kode wilayah: Kebakkramat"),
    ("korem", ["33.13"], "Hanya Kodim atau Koramil yang membawahi wilayah."),
])
def test_regions_must_fit_the_unit_kind(db, tree, kind, codes, message):
    before = _units(db)
    parent = tree["kodim"] if kind == "koramil" else tree["korem"] if kind == "kodim" else tree["kodam"]
    with pytest.raises(ValidationError) as error:
        create_unit(kind=kind, name="Satuan Baru", parent=parent, region_codes=codes)
    assert error.value.errors == {"regions": [message]}
    db.session.rollback()
    assert _units(db) == before


def test_parent_kind_names_and_kinds_are_checked(db, tree):
    with pytest.raises(ValidationError) as error:
        create_unit(kind="koramil", name="Koramil 03/Kebakkramat", parent=tree["korem"])
    assert error.value.errors == {"parent": ["Satuan koramil harus berada di bawah kodim."]}
    with pytest.raises(ValidationError) as error:
        create_unit(kind="battalion", name="", parent=None)
    assert set(error.value.errors) == {"kind", "name"}
    with pytest.raises(ValidationError) as error:
        create_unit(kind="kodim", name="Kodim 0727/Karanganyar", parent=tree["korem"])
    assert error.value.errors == {"name": ["Satuan bernama Kodim 0727/Karanganyar sudah ada."]}


def test_set_unit_regions_replaces_the_covered_regions(db, tree):
    koramil = create_unit(kind="koramil", name="Koramil Gabungan", parent=tree["kodim"], region_codes=["33.13.14"])
    set_unit_regions(koramil, ["33.13.11", "33.13.12", "33.13.11"])
    db.session.commit()
    assert koramil.region_codes == ["33.13.11", "33.13.12"]


def test_time_zone_comes_from_the_covered_province(db, app):
    import_regions("51,Bali\n51.71,Kota Denpasar\n94,Papua\n94.71,Kota Jayapura\n33,Jawa Tengah\n33.13,Kabupaten Karanganyar\n")
    bali = create_unit(kind="kodim", name="Kodim 1611/Badung", region_codes=["51.71"])
    papua = create_unit(kind="kodim", name="Kodim 1701/Jayapura", region_codes=["94.71"])
    java = create_unit(kind="kodim", name="Kodim 0727/Karanganyar", region_codes=["33.13"])
    koramil = create_unit(kind="koramil", name="Koramil 01/Denpasar", parent=bali)
    assert (bali.timezone, papua.timezone, java.timezone) == (WITA, WIT, WIB)
    assert koramil.timezone == WITA, "a unit without regions takes its parent's zone"
    assert (bali.timezone_label, papua.timezone_label, java.timezone_label) == ("WITA", "WIT", "WIB")


def test_cli_units_add_builds_the_tree(cli, db, regions):
    assert cli("add", "--kind", "kodam", "--name", "Kodam IV/Diponegoro", "--number", "IV").exit_code == 0
    assert cli("add", "--kind", "korem", "--name", "Korem 074/Warastratama", "--parent", "Kodam IV/Diponegoro").exit_code == 0
    result = cli("add", "--kind", "kodim", "--name", "Kodim 0727/Karanganyar", "--number", "0727",
                 "--parent", "Korem 074/Warastratama", "--region", "33.13")
    assert result.exit_code == 0, result.output
    assert "created kodim Kodim 0727/Karanganyar" in result.output
    result = cli("add", "--kind", "koramil", "--name", "Koramil 03/Kebakkramat", "--parent", "0727",
                 "--region", "33.13.14", "--region", "331311")
    assert result.exit_code == 0, result.output
    koramil = db.session.execute(select(Unit).where(Unit.name == "Koramil 03/Kebakkramat")).scalar_one()
    assert koramil.region_codes == ["33.13.11", "33.13.14"]
    assert koramil.parent.name == "Kodim 0727/Karanganyar"
    listing = cli("list").output
    assert "Koramil 03/Kebakkramat" in listing and "33.13.11 33.13.14" in listing


@pytest.mark.parametrize("args, message", [
    (["--kind", "koramil", "--name", "X", "--parent", "Kodim 9999"], "parent: no unit 'Kodim 9999'"),
    (["--kind", "koramil", "--name", "X", "--region", "33.13"], "regions: Bukan kecamatan yang dikenal: 33.13"),
    (["--kind", "battalion", "--name", "X"], "Invalid value for '--kind'"),
])
def test_cli_units_add_refuses_bad_input_and_writes_nothing(cli, db, regions, args, message):
    result = cli("add", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert _units(db) == 0
