"""The national Kemendagri 2025 list (../shared/data), when it is present."""
import pytest
from sqlalchemy import func, select

from tracker.regions.models import Region


# Imports the 91,599-row national list twice.
pytestmark = pytest.mark.slow


def test_the_national_list_imports_with_the_decree_counts_and_reimports_unchanged(app, db, shared_regions_csv):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["regions", "import", shared_regions_csv])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "provinces: 38 added, 0 renamed",
        "regencies: 514 added, 0 renamed",
        "districts: 7285 added, 0 renamed",
        "villages: 83762 added, 0 renamed",
        "unchanged: 0",
    ]
    per_level = dict(db.session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
    assert per_level == {1: 38, 2: 514, 3: 7285, 4: 83762}
    # Every province falls in one of the three zones, and the capital's is WIB.
    zones = dict(db.session.execute(select(Region.timezone, func.count()).where(Region.level == 1).group_by(Region.timezone)).all())
    assert set(zones) == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"} and sum(zones.values()) == 38
    assert db.session.get(Region, "31").timezone == "Asia/Jakarta"

    result = runner.invoke(args=["regions", "import", shared_regions_csv])
    assert result.exit_code == 0, result.output
    assert "unchanged: 91599" in result.output
    assert all(" 0 added, 0 renamed" in line for line in result.output.splitlines()[:4])
    assert db.session.execute(select(func.count()).select_from(Region)).scalar_one() == 91599
