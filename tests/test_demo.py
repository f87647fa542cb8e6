"""``flask seed demo``: the Karanganyar demo, one command, development and testing only."""
from sqlalchemy import func, select

from tracker import create_app
from tracker.auth.models import User
from tracker.demo import seed_demo
from tracker.regions.models import Region
from tracker.units.models import Unit

DEMO_USERS = {
    "admin": ("admin", None),
    "dandim.karanganyar": ("kodim", "Kodim 0727/Karanganyar"),
    "danramil.kebakkramat": ("koramil", "Koramil 03/Kebakkramat"),
    "danramil.jaten": ("koramil", "Koramil Jaten"),
    "babinsa.kemiri": ("babinsa", "Koramil 03/Kebakkramat"),
    "babinsa.waru": ("babinsa", "Koramil 03/Kebakkramat"),
    "babinsa.jaten": ("babinsa", "Koramil Jaten"),
}


def _count(db, stmt):
    return db.session.execute(stmt).scalar_one()


def test_seed_demo_loads_the_demo_and_prints_every_user(app, db):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "waspada-demo" in result.output
    for username, (role, unit) in DEMO_USERS.items():
        line = next(line for line in result.output.splitlines() if line.split()[:1] == [username])
        assert role in line and (unit or "-") in line
    assert _count(db, select(func.count()).select_from(User)) == len(DEMO_USERS)


def test_demo_regions_units_and_assignments(app, db, demo):
    level = func.count()
    assert _count(db, select(level).where(Region.level == 3, Region.regency_code == "33.13")) == 17
    assert _count(db, select(level).where(Region.level == 4, Region.regency_code == "33.13")) == 177
    assert _count(db, select(level).where(Region.kind == "kelurahan")) == 15
    kodim = db.session.execute(select(Unit).where(Unit.name == "Kodim 0727/Karanganyar")).scalar_one()
    assert kodim.region_codes == ["33.13"] and kodim.number == "0727"
    koramil = db.session.execute(select(Unit).where(Unit.kind == "koramil")).scalars().all()
    assert len(koramil) == 17 and all(k.parent_id == kodim.id for k in koramil)
    kebakkramat = db.session.execute(select(Unit).where(Unit.name == "Koramil 03/Kebakkramat")).scalar_one()
    assert kebakkramat.region_codes == ["33.13.14"]

    assert demo["babinsa.kemiri"].village_codes == ["33.13.14.2005", "33.13.14.2006"]
    assert demo["babinsa.waru"].village_codes == ["33.13.14.2007"]
    assert demo["babinsa.jaten"].village_codes == ["33.13.11.2003"]
    for username in ("dandim.karanganyar", "danramil.kebakkramat", "danramil.jaten"):
        assert demo[username].email, f"{username} needs an email for the digests"
    for username, (role, unit) in DEMO_USERS.items():
        assert demo[username].role == role
        assert (demo[username].unit.name if demo[username].unit else None) == unit


def test_every_demo_user_logs_in_with_the_demo_password(client, demo):
    for username in DEMO_USERS:
        response = client.post("/login", data={"username": username, "password": "waspada-demo"})
        assert response.status_code == 302, username
        client.post("/logout")


def test_seed_demo_is_refused_under_the_production_config(app, db, database_url):
    production = create_app({
        "CONFIG_NAME": "production", "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "s3cret",
    })
    with production.app_context():  # else the command runs in the testing app's context
        result = production.test_cli_runner().invoke(args=["seed", "demo"])
        db.engine.dispose()
    assert result.exit_code == 1
    assert "seed demo runs only with the development or testing config" in result.output
    assert _count(db, select(func.count()).select_from(Unit)) == 0


def test_seed_demo_refuses_a_database_with_data_unless_if_empty(app, db, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 1 and "already has data" in result.output
    result = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert result.exit_code == 0 and "demo not loaded" in result.output
    assert _count(db, select(func.count()).select_from(User)) == len(DEMO_USERS)


def test_seed_demo_returns_users_without_committing(app, db):
    users = seed_demo()
    assert [u.username for u in users] == list(DEMO_USERS)
    db.session.rollback()
    assert _count(db, select(func.count()).select_from(User)) == 0
