"""Admin pages: users and units."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker.admin.forms import UserForm
from tracker.auth.decorators import roles_required
from tracker.auth.services import (
    assign_villages, create_user, end_access, get_user, search_users, set_password, update_user,
)
from tracker.auth.sessions import user_sessions
from tracker.pagination import paginate
from tracker.params import page_arg
from tracker.units.services import all_units, get_unit
from tracker.web import commit_or_rollback

# The form's unit_id field shows the service's "unit" errors.
FORM_FIELDS = {"unit": "unit_id"}


def _unit_choices():
    return [(0, "—")] + [(u.id, u.name) for u in all_units()]


def _form_status(form):
    return 422 if form.errors or form.form_errors else 200


@roles_required("admin")
def users():
    """All users, searchable, paginated."""
    q = request.args.get("q", "").strip()
    page = paginate(search_users(q), page=page_arg(), per_page=50)
    return render_template("admin/users.html", page=page, q=q)


@roles_required("admin")
def new_user():
    """Create a user."""
    form = UserForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        def create():
            user = create_user(
                username=form.username.data, full_name=form.full_name.data, role=form.role.data,
                password=form.password.data, unit=get_unit(form.unit_id.data),
                rank=form.rank.data, nrp=form.nrp.data, email=form.email.data,
                locale=form.locale.data, digest=form.is_digest_enabled.data,
            )
            if user.role == "babinsa" and (form.villages.data or "").strip():
                assign_villages(user, form.villages.data.split())
            return user

        outcome = commit_or_rollback(create, form, fields=FORM_FIELDS)
        if outcome.is_done:
            flash(_("User %(name)s created.", name=outcome.value.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), _form_status(form)


def _user_or_404(user_id):
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


@roles_required("admin")
def edit_user(user_id):
    """Edit a user: profile, role, unit, villages, active flag, password; and see his sessions."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.unit_id.data = user.unit_id or 0
        form.villages.data = "\n".join(user.village_codes)
        form.is_active.data = user.is_active
    del form.username
    if form.validate_on_submit():
        def save():
            update_user(
                user, full_name=form.full_name.data, role=form.role.data,
                unit=get_unit(form.unit_id.data), rank=form.rank.data,
                nrp=form.nrp.data, email=form.email.data, locale=form.locale.data,
                digest=form.is_digest_enabled.data, is_active=form.is_active.data,
            )
            if user.role == "babinsa":
                assign_villages(user, (form.villages.data or "").split())
            if form.password.data:
                set_password(user, form.password.data)

        if commit_or_rollback(save, form, fields=FORM_FIELDS).is_done:
            flash(_("User %(name)s saved.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           sessions=user_sessions(user)), _form_status(form)


@roles_required("admin")
def end_user_sessions(user_id):
    """Sign a user out everywhere: end all his sessions and revoke his API tokens."""
    user = _user_or_404(user_id)
    commit_or_rollback(lambda: end_access(user, "admin"))
    flash(_("%(name)s was signed out everywhere.", name=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@roles_required("admin")
def units():
    """The command tree with the regions each unit covers."""
    return render_template("admin/units.html", units=all_units())
