"""The web views' shared steps: a service's errors on a form, and the one transaction of a form post."""
import pytest
from sqlalchemy import func, select
from wtforms import FieldList, FormField, StringField
from wtforms import Form as SubForm

from tracker.auth.models import User
from tracker.errors import Conflict, Forbidden, ValidationError
from tracker.extensions import db
from tracker.forms import Form, apply_errors
from tracker.web import commit_or_rollback


class EntryForm(SubForm):
    title = StringField()


class ExampleForm(Form):
    class Meta:
        csrf = False

    name = StringField()
    unit_id = StringField()
    entries = FieldList(FormField(EntryForm), min_entries=2)


@pytest.fixture
def form(app):
    with app.test_request_context():
        yield ExampleForm()


def test_errors_land_under_their_fields_renamed_nested_or_on_top(form):
    apply_errors(form, {"name": ["bad name"], "unit": ["no unit"], "entries-1-title": ["no title"],
                        "stages": ["overlap"]}, {"unit": "unit_id"})
    assert form.name.errors == ["bad name"]
    assert form.unit_id.errors == ["no unit"]
    assert form.entries.entries[1].form.title.errors == ["no title"]
    assert not form.entries.entries[0].form.title.errors
    assert form.form_errors == ["overlap"]


def _users():
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def _add_user(name):
    user = User(username=name, full_name=name, role="admin", password_hash="x")
    db.session.add(user)
    db.session.flush()
    return user


def test_success_commits_once_and_gives_the_value(form):
    outcome = commit_or_rollback(lambda: _add_user("a").username, form)
    assert (outcome.is_done, outcome.status, outcome.value) == (True, 200, "a")
    db.session.rollback()  # what was committed stays
    assert _users() == 1


@pytest.mark.parametrize("error,status", [
    (ValidationError({"name": ["bad"]}), 422), (Forbidden("not yours"), 403), (Conflict("too late"), 409),
])
def test_a_refusal_rolls_back_what_was_begun(form, error, status):
    def work():
        _add_user("b")
        raise error

    outcome = commit_or_rollback(work, form)
    assert (outcome.is_done, outcome.status) == (False, status)
    assert _users() == 0


def _raising(error):
    def work():
        raise error
    return work


def test_a_refusal_is_put_where_the_page_shows_it(form):
    assert commit_or_rollback(_raising(ValidationError({"name": ["bad"]})), form).status == 422
    assert form.name.errors == ["bad"]
    forbidden = commit_or_rollback(_raising(Forbidden("outside your area")), form, forbidden_field="unit_id")
    assert (forbidden.message, form.unit_id.errors) == ("outside your area", ["outside your area"])
    commit_or_rollback(_raising(Forbidden("not yours")), form)
    assert form.form_errors == ["not yours"]
    conflict = commit_or_rollback(_raising(Conflict("someone was first")), form)
    assert (conflict.status, conflict.message) == (409, "someone was first")
