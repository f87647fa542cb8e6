"""flask elections add | list."""
from tests.plugins.world import KEBAK, KEMIRI, LALUNG


def test_add_a_pilkades_wave_from_a_file(app, db, area, tmp_path):
    codes = tmp_path / "desa.txt"
    codes.write_text(f"{KEMIRI}\n{KEBAK}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=[
        "elections", "add", "--kind", "pilkades", "--name", "Pilkades Karanganyar 2026",
        "--voting-on", "2026-12-20", "--villages-file", str(codes),
        "--stage", "campaign:2026-12-12:2026-12-16",
    ])
    assert result.exit_code == 0, result.output
    assert "2 areas" in result.output
    assert "campaign  2026-12-12 .. 2026-12-16" in result.output
    assert "lead_up   2026-10-21 .. 2026-12-11" in result.output


def test_add_names_the_bad_field(app, db, area):
    result = app.test_cli_runner().invoke(args=[
        "elections", "add", "--kind", "pilkades", "--name", "X", "--voting-on", "2026-12-20",
        "--village", KEMIRI, "--village", LALUNG])
    assert result.exit_code != 0 and "scope:" in result.output and "33.13.09.1001" in result.output
    result = app.test_cli_runner().invoke(args=[
        "elections", "add", "--kind", "pileg", "--name", "X", "--voting-on", "2029-02-14", "--national",
        "--region", "33"])
    assert result.exit_code != 0 and "exactly one" in result.output


def test_list_shows_elections_and_the_active_ones(app, db, area):
    runner = app.test_cli_runner()
    runner.invoke(args=["elections", "add", "--kind", "pilpres", "--name", "Pilpres 2024",
                        "--voting-on", "2024-02-14", "--national"])
    runner.invoke(args=["elections", "add", "--kind", "pilkada", "--name", "Pilkada Karanganyar 2029",
                        "--voting-on", "2029-11-28", "--region", "33.13"])
    listing = runner.invoke(args=["elections", "list"]).output
    assert listing.index("Pilkada Karanganyar 2029") < listing.index("Pilpres 2024")
    active = runner.invoke(args=["elections", "list", "--active", "--at", "2024-02-14T10:00:00+07:00"]).output
    assert "Pilpres 2024" in active and "Pilkada" not in active


def test_edit_moves_the_voting_day_and_replaces_the_area(app, db, area):
    runner = app.test_cli_runner()
    runner.invoke(args=["elections", "add", "--kind", "pilkades", "--name", "Pilkades Karanganyar 2026",
                        "--voting-on", "2026-12-20", "--village", KEMIRI])
    result = runner.invoke(args=["elections", "edit", "1", "--voting-on", "2027-01-10",
                                 "--village", KEMIRI, "--village", KEBAK])
    assert result.exit_code == 0, result.output
    assert "changed election 1" in result.output and "2 areas" in result.output
    assert "campaign  2027-01-04 .. 2027-01-06" in result.output


def test_edit_names_the_bad_field_and_an_unknown_election(app, db, area):
    runner = app.test_cli_runner()
    runner.invoke(args=["elections", "add", "--kind", "pilkades", "--name", "P", "--voting-on", "2026-12-20",
                        "--village", KEMIRI])
    result = runner.invoke(args=["elections", "edit", "1", "--stage", "quiet:2026-12-15:2026-12-19"])
    assert result.exit_code != 0 and "stages:" in result.output
    result = runner.invoke(args=["elections", "edit", "1", "--village", LALUNG])
    assert result.exit_code != 0 and "scope:" in result.output
    assert runner.invoke(args=["elections", "edit", "9", "--name", "X"]).exit_code != 0


def test_remove_asks_and_the_election_leaves_the_list(app, db, area):
    runner = app.test_cli_runner()
    runner.invoke(args=["elections", "add", "--kind", "pilpres", "--name", "Pilpres 2029",
                        "--voting-on", "2029-04-17", "--national"])
    refused = runner.invoke(args=["elections", "remove", "1"], input="n\n")
    assert refused.exit_code != 0 and "Pilpres 2029" in runner.invoke(args=["elections", "list"]).output
    result = runner.invoke(args=["elections", "remove", "1", "--yes"])
    assert result.exit_code == 0, result.output
    assert "removed election 1: Pilpres 2029; cleared 0 flags" in result.output
    assert "Pilpres 2029" not in runner.invoke(args=["elections", "list"]).output
    assert runner.invoke(args=["elections", "remove", "1", "--yes"]).exit_code != 0
