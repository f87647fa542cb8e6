"""``flask regions import FILE``: comma or semicolon, dots or none, idempotent, all or nothing."""
import pytest
from sqlalchemy import func, select

from tracker.regions.models import Region

SMALL = """code,name
33,Jawa Tengah
33.13,Kabupaten Karanganyar
33.13.09,Karanganyar
33.13.09.1001,Lalung
33.13.14,Kebakkramat
33.13.14.2005,Kemiri
33.13.14.2006,Kebak
"""


@pytest.fixture
def run_import(app, tmp_path):
    runner = app.test_cli_runner()

    def run(text, name="regions.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return runner.invoke(args=["regions", "import", str(path)])

    return run


def _regions(db):
    return dict(db.session.execute(select(Region.code, Region.name)).all())


def _semicolon_without_dots(text):
    lines = []
    for line in text.strip().splitlines():
        code, name = line.split(",", 1)
        lines.append(f"{code.replace('.', '')};{name}")
    return "\n".join(lines) + "\n"


def test_import_prints_counts_per_level(run_import, db):
    result = run_import(SMALL)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "provinces: 1 added, 0 renamed",
        "regencies: 1 added, 0 renamed",
        "districts: 2 added, 0 renamed",
        "villages: 3 added, 0 renamed",
        "unchanged: 0",
    ]
    assert len(_regions(db)) == 7


def test_semicolons_and_codes_without_dots_give_the_same_rows(run_import, db):
    assert run_import(_semicolon_without_dots(SMALL)).exit_code == 0
    assert _regions(db) == {line.split(",")[0]: line.split(",")[1] for line in SMALL.splitlines()[1:]}


def test_rows_carry_level_kind_ancestors_and_time_zone(run_import, db):
    run_import(SMALL)
    village = db.session.get(Region, "33.13.14.2005")
    assert (village.level, village.kind, village.parent_code) == (4, "desa", "33.13.14")
    assert (village.province_code, village.regency_code, village.district_code) == ("33", "33.13", "33.13.14")
    assert village.timezone == "Asia/Jakarta" and village.holds_pilkades
    kelurahan = db.session.get(Region, "33.13.09.1001")
    assert kelurahan.kind == "kelurahan" and not kelurahan.holds_pilkades
    province = db.session.get(Region, "33")
    assert (province.level, province.parent_code, province.regency_code, province.district_code) == (1, None, None, None)


def test_reimport_is_idempotent_renames_and_adds(run_import, db):
    run_import(SMALL)
    result = run_import(SMALL)
    assert "unchanged: 7" in result.output and " 0 added" in result.output
    assert len(_regions(db)) == 7

    changed = SMALL.replace("33.13.14.2006,Kebak", "33.13.14.2006,Kebak Baru") + "33.13.14.2007,Waru\n"
    result = run_import(changed)
    assert result.exit_code == 0
    assert "villages: 1 added, 1 renamed" in result.output
    assert "unchanged: 6" in result.output
    assert _regions(db)["33.13.14.2006"] == "Kebak Baru"
    assert db.session.execute(select(func.count()).select_from(Region)).scalar_one() == 8


def test_a_file_may_add_to_regions_already_loaded(run_import, db):
    run_import(SMALL)
    result = run_import("33.13.11,Jaten\n33.13.11.2003,Jaten\n")
    assert result.exit_code == 0, result.output
    assert _regions(db)["33.13.11.2003"] == "Jaten"


def test_names_with_the_other_separator_and_quotes_and_a_bom(run_import, db):
    text = '\ufeffcode;name\n33;Jawa Tengah, Provinsi\n33.13;"Kabupaten ""Karanganyar"""\n'
    result = run_import(text)
    assert result.exit_code == 0, result.output
    assert _regions(db) == {"33": "Jawa Tengah, Provinsi", "33.13": 'Kabupaten "Karanganyar"'}


@pytest.mark.parametrize("text, line, reason", [
    (SMALL + "33.13.14.2007\n", 9, "seharusnya 2 kolom (kode, nama), ditemukan 1"),
    (SMALL + "33.13.14.2007,Waru,extra\n", 9, "seharusnya 2 kolom (kode, nama), ditemukan 3"),
    (SMALL.replace("33.13.14.2006", "33.13.14.26"), 8, "“33.13.14.26” bukan kode wilayah"),
    (SMALL.replace("Kemiri", " "), 7, "nama 33.13.14.2005 kosong"),
    (SMALL + "3313142005,Kemiri\n", 9, "33.13.14.2005 muncul dua kali"),
    (SMALL + "33.13.15.2001,Sewurejo\n", 9, "33.13.15.2001 tidak memiliki wilayah induk 33.13.15"),
    (SMALL + "33.13.14.2007," + "x" * 121 + "\n", 9, "nama 33.13.14.2007 lebih dari 120 karakter"),
])
def test_a_malformed_row_names_its_line_and_reason_and_writes_nothing(run_import, db, text, line, reason):
    result = run_import(text)
    assert result.exit_code == 1
    assert f"Baris {line}: {reason}" in result.output
    assert _regions(db) == {}


def test_a_malformed_row_in_a_reimport_leaves_the_loaded_rows_untouched(run_import, db):
    run_import(SMALL)
    before = _regions(db)
    result = run_import(SMALL.replace("Kebak", "Kebak Baru") + "bad,row\n")
    assert result.exit_code == 1 and "Baris 9" in result.output
    assert _regions(db) == before


def test_an_empty_file_and_a_non_utf8_file_are_refused(run_import, db):
    result = run_import("code,name\n\n")
    assert result.exit_code == 1 and "Berkas tidak berisi wilayah." in result.output
    result = run_import("33,Jawa Tengah\n33.13,Kabupatén\n", encoding="latin-1")
    assert result.exit_code == 1 and "is not UTF-8 text" in result.output
    assert _regions(db) == {}


def test_a_missing_file_is_refused(app, db):
    result = app.test_cli_runner().invoke(args=["regions", "import", "/nonexistent/regions.csv"])
    assert result.exit_code == 2 and "does not exist" in result.output
