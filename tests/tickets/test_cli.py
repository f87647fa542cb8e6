"""flask tickets list / export: the same scoped search as the web, as a named user."""
import csv
import io

from tests.plugins.world import JATEN, WARU


def run(app, *args):
    return app.test_cli_runner().invoke(args=["tickets", *args])


def test_list_prints_what_the_user_may_see(app, world, make_ticket):
    mine = make_ticket(world.babinsa, title="di Kemiri")
    make_ticket(world.koramil, title="di Waru", village_code=WARU)
    result = run(app, "list", "--as", "babinsa")
    assert result.exit_code == 0, result.output
    assert mine.ref in result.output and "di Waru" not in result.output


def test_list_filters(app, world, make_ticket):
    make_ticket(world.babinsa, title="lama", status="closed")
    make_ticket(world.babinsa, title="terbuka")
    result = run(app, "list", "--as", "kodim", "-f", "status=open", "-f", "q=TERBUKA")
    assert result.exit_code == 0 and "terbuka" in result.output and "lama" not in result.output


def test_bad_filter_or_user_fails_with_a_message(app, world):
    assert "status:" in run(app, "list", "--as", "kodim", "-f", "status=done").output
    assert run(app, "list", "--as", "kodim", "-f", "colour=red").exit_code != 0
    assert "no active user" in run(app, "list", "--as", "nobody").output


def test_export_writes_scoped_csv(app, world, make_ticket, tmp_path):
    make_ticket(world.babinsa, title="kemiri")
    make_ticket(world.koramil_other, title="jaten", village_code=JATEN)
    out = tmp_path / "tiket.csv"
    result = run(app, "export", "--as", "koramil", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["title"] for r in rows] == ["kemiri"]
    stdout = run(app, "export", "--as", "admin")
    assert {r["title"] for r in csv.DictReader(io.StringIO(stdout.output))} == {"kemiri", "jaten"}
