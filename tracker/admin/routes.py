"""Admin pages: users and units."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.admin.forms import UserForm
from tracker.auth.decorators import roles_required
from tracker.auth.models import User
from tracker.auth.services import assign_villages, create_user, set_password, update_user
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.units.models import Unit


def _unit_choices():
    units = db.session.execute(select(Unit).order_by(Unit.kind, Unit.name)).scalars()
    return [(0, "—")] + [(u.id, u.name) for u in units]


def _apply_errors(form, error):
    for field, messages in error.errors.items():
        target = getattr(form, "unit_id" if field == "unit" else field, None)
        if target is not None:
            target.errors = list(target.errors) + messages
        else:
            form.form_errors.extend(messages)


@roles_required("admin")
def users():
    """All users, searchable, paginated."""
    q = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.username)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(User.username).like(like) | func.lower(User.full_name).like(like))
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, q=q)


@roles_required("admin")
def new_user():
    """Create a user."""
    form = UserForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            user = create_user(
                username=form.username.data, full_name=form.full_name.data, role=form.role.data,
                password=form.password.data, unit=db.session.get(Unit, form.unit_id.data or 0),
                rank=form.rank.data, nrp=form.nrp.data, email=form.email.data,
                locale=form.locale.data, digest=form.is_digest_enabled.data,
            )
            if user.role == "babinsa" and (form.villages.data or "").strip():
                assign_villages(user, form.villages.data.split())
        except ValidationError as error:
            db.session.rollback()
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), (422 if form.errors or form.form_errors else 200)


@roles_required("admin")
def edit_user(user_id):
    """Edit a user: profile, role, unit, villages, active flag, password."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.unit_id.data = user.unit_id or 0
        form.villages.data = "\n".join(user.village_codes)
        form.is_active.data = user.is_active
    del form.username
    if form.validate_on_submit():
        try:
            update_user(
                user, full_name=form.full_name.data, role=form.role.data,
                unit=db.session.get(Unit, form.unit_id.data or 0), rank=form.rank.data,
                nrp=form.nrp.data, email=form.email.data, locale=form.locale.data,
                digest=form.is_digest_enabled.data, is_active=form.is_active.data,
            )
            if user.role == "babinsa":
                assign_villages(user, (form.villages.data or "").split())
            if form.password.data:
                set_password(user, form.password.data)
        except ValidationError as error:
            db.session.rollback()
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("User %(name)s saved.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), (422 if form.errors or form.form_errors else 200)


@roles_required("admin")
def units():
    """The command tree with the regions each unit covers."""
    all_units = db.session.execute(select(Unit).order_by(Unit.kind, Unit.name)).scalars().all()
    return render_template("admin/units.html", units=all_units)
