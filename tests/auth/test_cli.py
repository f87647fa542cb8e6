"""``flask users create | assign-villages | deactivate | set-password``."""
import pytest
from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.auth.passwords import verify_password


@pytest.fixture
def units(regions, make_unit):
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
    return {
        "kodim": kodim,
        "kebakkramat": make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim, number="03"),
        "jaten": make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim),
    }


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


def _user(db, username):
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _count(db):
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def test_create_reads_the_password_from_stdin(cli, db, units):
    result = cli("users", "create", "--username", "babinsa.kemiri", "--role", "babinsa",
                 "--unit", "Koramil 03/Kebakkramat", "--full-name", "Babinsa Kemiri", "--rank", "Serda",
                 "--nrp", "21120001", "--password-stdin", input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "created babinsa.kemiri (babinsa, Koramil 03/Kebakkramat)" in result.output
    user = _user(db, "babinsa.kemiri")
    assert (user.full_name, user.rank, user.nrp, user.unit_id) == ("Babinsa Kemiri", "Serda", "21120001", units["kebakkramat"].id)
    assert verify_password(user.password_hash, "a-long-password")


def test_create_asks_for_the_password_twice_without_stdin(cli, db, units):
    result = cli("users", "create", "--username", "op", "--role", "admin", input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    assert verify_password(_user(db, "op").password_hash, "a-long-password")


def test_create_finds_the_unit_by_number_or_id(cli, db, units):
    assert cli("users", "create", "--username", "dandim", "--role", "kodim", "--unit", "0727",
               "--password-stdin", input="a-long-password\n").exit_code == 0
    assert _user(db, "dandim").unit_id == units["kodim"].id
    assert cli("users", "create", "--username", "danramil", "--role", "koramil", "--unit", str(units["jaten"].id),
               "--password-stdin", input="a-long-password\n").exit_code == 0
    assert _user(db, "danramil").unit_id == units["jaten"].id


@pytest.mark.parametrize("args, message", [
    (["--role", "general", "--unit", "0727"], "role: Peran general tidak dikenal; pilih salah satu dari babinsa, koramil, kodim, admin."),
    (["--role", "babinsa"], "unit: Pengguna babinsa harus memiliki satuan."),
    (["--role", "babinsa", "--unit", "Koramil Atlantis"], "unit: no unit named 'Koramil Atlantis'"),
    (["--role", "babinsa", "--unit", "0727"], "unit: Pengguna babinsa harus berada di satuan koramil, bukan Kodim 0727/Karanganyar."),
    (["--role", "kodim", "--unit", "Koramil Jaten"], "unit: Pengguna kodim harus berada di satuan kodim, bukan Koramil Jaten."),
])
def test_bad_role_or_unit_is_refused_before_the_password_and_writes_nothing(cli, db, units, args, message):
    before = _count(db)
    result = cli("users", "create", "--username", "someone", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Password" not in result.output, "must not ask for a password first"
    assert _count(db) == before


def test_short_password_and_taken_username_are_refused(cli, db, units, make_user):
    make_user("admin", username="op")
    result = cli("users", "create", "--username", "new", "--role", "admin", "--password-stdin", input="short\n")
    assert result.exit_code == 1 and "password: Kata sandi minimal 8 karakter." in result.output
    result = cli("users", "create", "--username", "op", "--role", "admin", "--password-stdin", input="a-long-password\n")
    assert result.exit_code == 1 and "username: Nama pengguna op sudah dipakai." in result.output
    result = cli("users", "create", "--username", "new", "--role", "admin", "--password-stdin", input="")
    assert result.exit_code == 1 and "password: nothing was read from standard input" in result.output
    assert _count(db) == 1


@pytest.fixture
def babinsa(units, make_user):
    return make_user("babinsa", unit=units["kebakkramat"], username="babinsa.kemiri", villages=["33.13.14.2005"])


def test_assign_villages_replaces_and_accepts_codes_without_dots(cli, db, babinsa):
    result = cli("users", "assign-villages", "babinsa.kemiri", "3313142006", "33.13.14.2007")
    assert result.exit_code == 0, result.output
    assert "babinsa.kemiri: 33.13.14.2006, 33.13.14.2007" in result.output
    assert _user(db, "babinsa.kemiri").village_codes == ["33.13.14.2006", "33.13.14.2007"]


def test_assign_villages_add_keeps_the_current_ones(cli, db, babinsa):
    assert cli("users", "assign-villages", "--add", "babinsa.kemiri", "33.13.14.2006").exit_code == 0
    assert _user(db, "babinsa.kemiri").village_codes == ["33.13.14.2005", "33.13.14.2006"]


@pytest.mark.parametrize("codes, message", [
    (["kemiri"], "villages: Bukan kode wilayah: kemiri"),
    (["33.13.14.2999"], "villages: Desa tidak dikenal: 33.13.14.2999"),
    (["33.13.14"], "villages: Desa tidak dikenal: 33.13.14"),
    (["33.13.14.2006", "33.13.11.2003"], "villages: Di luar kecamatan satuan: 33.13.11.2003"),
])
def test_assign_villages_refuses_bad_unknown_or_outside_codes_and_changes_nothing(cli, db, babinsa, codes, message):
    result = cli("users", "assign-villages", "babinsa.kemiri", *codes)
    assert result.exit_code == 1
    assert message in result.output
    assert _user(db, "babinsa.kemiri").village_codes == ["33.13.14.2005"]


def test_assign_villages_is_for_babinsa_only_and_known_users(cli, units, make_user):
    make_user("koramil", unit=units["jaten"], username="danramil")
    result = cli("users", "assign-villages", "danramil", "33.13.11.2003")
    assert result.exit_code == 1 and "villages: Hanya babinsa yang dapat diberi desa binaan." in result.output
    result = cli("users", "assign-villages", "nobody", "33.13.11.2003")
    assert result.exit_code == 1 and "username: no user 'nobody'" in result.output


def test_deactivate_stops_login(cli, db, client, babinsa):
    result = cli("users", "deactivate", "babinsa.kemiri")
    assert result.exit_code == 0 and "deactivated babinsa.kemiri" in result.output
    assert _user(db, "babinsa.kemiri").is_active is False
    response = client.post("/login", data={"username": "babinsa.kemiri", "password": "waspada-demo"})
    assert response.status_code == 401


def test_set_password_changes_it_and_ends_sessions(cli, db, client, login, babinsa):
    login("babinsa.kemiri")
    result = cli("users", "set-password", "babinsa.kemiri", "--password-stdin", input="another-password\n")
    assert result.exit_code == 0, result.output
    assert client.get("/settings").status_code == 302
    assert verify_password(_user(db, "babinsa.kemiri").password_hash, "another-password")


def test_a_unit_number_shared_by_several_units_is_refused_not_guessed(cli, db, units, make_unit):
    make_unit("koramil", "Koramil 03/Jaten", regions=["33.13.12"], parent=units["kodim"], number="03")
    result = cli("users", "create", "--username", "someone", "--role", "koramil", "--unit", "03",
                 "--password-stdin", input="a-long-password\n")
    assert result.exit_code == 1
    assert "unit: Beberapa satuan bernomor 03; sebutkan nama atau id-nya." in result.output
    assert _user(db, "someone") is None


def test_a_unit_number_wins_over_an_id(cli, db, units):
    jaten = units["jaten"]
    jaten.number = str(units["kebakkramat"].id)  # a number that is also another unit's id
    db.session.commit()
    result = cli("users", "create", "--username", "someone", "--role", "koramil", "--unit", jaten.number,
                 "--password-stdin", input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert _user(db, "someone").unit_id == jaten.id
