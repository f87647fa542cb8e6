"""Admin pages: create and edit users, list units; admins only."""
import pytest
from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.auth.passwords import verify_password


@pytest.fixture
def units(regions, make_unit):
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"])
    return {
        "kodim": kodim,
        "kebakkramat": make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim),
        "jaten": make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim),
    }


@pytest.fixture
def admin_client(client, make_user, login):
    make_user("admin", username="op")
    login("op")
    return client


def _user(db, username):
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _count(db):
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def _new_user_form(**overrides):
    form = {
        "username": "babinsa.kemiri", "full_name": "Babinsa Kemiri", "rank": "Serda", "nrp": "21120001",
        "role": "babinsa", "unit_id": "0", "email": "", "locale": "id",
        "villages": "33.13.14.2005\n3313142006", "password": "a-long-password",
    }
    form.update(overrides)
    return form


@pytest.mark.parametrize("role", ["babinsa", "koramil", "kodim"])
def test_non_admins_get_403_and_write_nothing(client, db, units, make_user, login, role):
    unit = units["kodim"] if role == "kodim" else units["kebakkramat"]
    make_user(role, unit=unit, username="someone")
    login("someone")
    for url in ("/admin/users", "/admin/users/new", "/admin/units", f"/admin/users/{_user(db, 'someone').id}"):
        assert client.get(url).status_code == 403, url
    before = _count(db)
    response = client.post("/admin/users/new", data=_new_user_form(unit_id=str(units["kebakkramat"].id)))
    assert response.status_code == 403
    assert _count(db) == before


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_admin_creates_a_babinsa_with_villages(admin_client, db, units):
    response = admin_client.post("/admin/users/new", data=_new_user_form(unit_id=str(units["kebakkramat"].id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    user = _user(db, "babinsa.kemiri")
    assert (user.role, user.unit_id, user.rank, user.nrp) == ("babinsa", units["kebakkramat"].id, "Serda", "21120001")
    assert user.village_codes == ["33.13.14.2005", "33.13.14.2006"]
    assert verify_password(user.password_hash, "a-long-password")
    assert "Pengguna babinsa.kemiri dibuat." in admin_client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("overrides, field, message", [
    ({"role": "general"}, "role", "Pilihan tidak sah."),
    ({"unit_id": "0"}, "unit_id", "Pengguna babinsa harus memiliki satuan."),
    ({"unit_id": "KODIM"}, "unit_id", "Pengguna babinsa harus berada di satuan koramil, bukan Kodim 0727/Karanganyar."),
    ({"villages": "33.13.11.2003"}, "villages", "Di luar kecamatan satuan: 33.13.11.2003"),
    ({"villages": "kemiri"}, "villages", "Bukan kode wilayah: kemiri"),
    ({"password": "short"}, "password", "Kata sandi minimal 8 karakter."),
    ({"username": ""}, "username", "Isian ini wajib diisi."),
    ({"email": "not-an-address"}, "email", "Alamat email tidak sah."),
])
def test_bad_input_is_named_under_its_field_and_writes_nothing(admin_client, db, units, overrides, field, message):
    form = _new_user_form(unit_id=str(units["kebakkramat"].id))
    if overrides.get("unit_id") == "KODIM":
        overrides = {**overrides, "unit_id": str(units["kodim"].id)}
    form.update(overrides)
    before = _count(db)
    response = admin_client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert _count(db) == before


@pytest.fixture
def babinsa(units, make_user):
    return make_user("babinsa", unit=units["kebakkramat"], username="babinsa.kemiri", villages=["33.13.14.2005"])


def _edit_form(user, **overrides):
    form = {
        "full_name": user.full_name, "rank": user.rank or "", "nrp": user.nrp or "", "role": user.role,
        "unit_id": str(user.unit_id or 0), "email": user.email or "", "locale": user.locale,
        "villages": "\n".join(user.village_codes), "is_active": "y", "password": "",
    }
    form.update(overrides)
    return form


def test_edit_form_shows_the_current_values(admin_client, babinsa):
    page = admin_client.get(f"/admin/users/{babinsa.id}").get_data(as_text=True)
    assert f'value="{babinsa.full_name}"' in page
    assert "33.13.14.2005</textarea>" in page
    assert f'<option selected value="{babinsa.unit_id}">' in page


def test_admin_moves_a_babinsa_and_changes_his_villages(admin_client, db, units, babinsa):
    response = admin_client.post(f"/admin/users/{babinsa.id}", data=_edit_form(
        babinsa, unit_id=str(units["jaten"].id), villages="33.13.11.2003 33.13.11.2004", rank="Sertu",
    ))
    assert response.status_code == 302, response.get_data(as_text=True)
    user = _user(db, "babinsa.kemiri")
    assert (user.unit_id, user.rank, user.village_codes) == (units["jaten"].id, "Sertu", ["33.13.11.2003", "33.13.11.2004"])


def test_promoting_a_babinsa_drops_his_village_list(admin_client, db, units, babinsa):
    response = admin_client.post(f"/admin/users/{babinsa.id}", data=_edit_form(babinsa, role="koramil"))
    assert response.status_code == 302
    user = _user(db, "babinsa.kemiri")
    assert user.role == "koramil" and user.village_codes == []


def test_an_edit_with_a_bad_village_changes_nothing(admin_client, db, units, babinsa):
    response = admin_client.post(f"/admin/users/{babinsa.id}", data=_edit_form(
        babinsa, full_name="Renamed", villages="33.13.11.2003",
    ))
    assert response.status_code == 422
    assert "Di luar kecamatan satuan: 33.13.11.2003" in response.get_data(as_text=True)
    user = _user(db, "babinsa.kemiri")
    assert user.full_name == babinsa.full_name != "Renamed"
    assert user.village_codes == ["33.13.14.2005"]


def test_an_edit_with_a_missing_unit_changes_nothing(admin_client, db, babinsa):
    response = admin_client.post(f"/admin/users/{babinsa.id}", data=_edit_form(babinsa, unit_id="0", full_name="Renamed"))
    assert response.status_code == 422
    assert "Pengguna babinsa harus memiliki satuan." in response.get_data(as_text=True)
    assert _user(db, "babinsa.kemiri").full_name != "Renamed"


def test_deactivating_by_the_admin_page_ends_the_users_sessions(app, admin_client, db, babinsa):
    other = app.test_client()
    other.post("/login", data={"username": "babinsa.kemiri", "password": "waspada-demo"})
    assert other.get("/settings").status_code == 200
    form = _edit_form(babinsa)
    del form["is_active"]  # an unticked checkbox is not sent
    assert admin_client.post(f"/admin/users/{babinsa.id}", data=form).status_code == 302
    assert _user(db, "babinsa.kemiri").is_active is False
    assert other.get("/settings").status_code == 302
    assert "nonaktif" in admin_client.get("/admin/users").get_data(as_text=True)


def test_a_new_password_by_the_admin_page_works(admin_client, client, db, babinsa):
    response = admin_client.post(f"/admin/users/{babinsa.id}", data=_edit_form(babinsa, password="brand-new-password"))
    assert response.status_code == 302
    assert verify_password(_user(db, "babinsa.kemiri").password_hash, "brand-new-password")


def test_editing_an_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404


def test_user_list_searches_by_username_or_name(admin_client, db, babinsa):
    page = admin_client.get("/admin/users?q=KEMIRI").get_data(as_text=True)
    assert f'href="/admin/users/{babinsa.id}"' in page
    assert f'href="/admin/users/{_user(db, "op").id}"' not in page


def test_units_page_lists_the_tree_with_time_zones(admin_client, units):
    page = admin_client.get("/admin/units").get_data(as_text=True)
    assert "Koramil 03/Kebakkramat" in page and "33.13.14" in page and "WIB" in page
