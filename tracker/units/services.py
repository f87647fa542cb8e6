"""Creating units, setting the regions they cover, and reading them."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.regions.codes import CodeError, normalize
from tracker.regions.models import Region
from tracker.units.models import COVERED_LEVEL, UNIT_KINDS, Unit, UnitRegion

PARENT_KIND = {"korem": "kodam", "kodim": "korem", "koramil": "kodim"}


def create_unit(*, kind, name, number=None, parent=None, region_codes=()):
    """Create a unit under its parent, covering kabupaten (Kodim) or kecamatan (Koramil)."""
    errors = {}
    name = (name or "").strip()
    if kind not in UNIT_KINDS:
        errors["kind"] = [_l("Unknown unit kind %(kind)s; choose one of %(kinds)s.", kind=kind, kinds=", ".join(UNIT_KINDS))]
    if not name:
        errors["name"] = [_l("Name is required.")]
    elif db.session.execute(select(Unit.id).where(Unit.name == name)).first():
        errors["name"] = [_l("A unit named %(name)s exists.", name=name)]
    wanted_parent = PARENT_KIND.get(kind)
    if parent is not None and wanted_parent and parent.kind != wanted_parent:
        errors["parent"] = [_l("A %(kind)s sits under a %(parent)s.", kind=kind, parent=wanted_parent)]
    if errors:
        raise ValidationError(errors)
    unit = Unit(kind=kind, name=name, number=(number or "").strip() or None, parent=parent)
    db.session.add(unit)
    set_unit_regions(unit, region_codes)
    return unit


def set_unit_regions(unit, region_codes):
    """Replace the regions a Kodim or Koramil covers, checking their level."""
    level = COVERED_LEVEL.get(unit.kind)
    codes = []
    for raw in region_codes:
        try:
            codes.append(normalize(raw))
        except CodeError:
            raise ValidationError({"regions": [_l("Not a region code: %(code)s", code=raw)]}) from None
    if codes and level is None:
        raise ValidationError({"regions": [_l("Only a Kodim or Koramil covers regions.")]})
    if codes:
        found = set(db.session.execute(
            select(Region.code).where(Region.code.in_(codes), Region.level == level)
        ).scalars())
        missing = [c for c in codes if c not in found]
        if missing:
            what = _l("kabupaten/kota") if level == 2 else _l("kecamatan")
            raise ValidationError({"regions": [_l("Not a known %(what)s: %(codes)s", what=what, codes=", ".join(missing))]})
    unit.regions.clear()
    db.session.flush()
    for code in dict.fromkeys(codes):
        unit.regions.append(UnitRegion(region_code=code))
    db.session.flush()
    return unit


def all_units():
    """Every unit, by kind and name."""
    return db.session.execute(select(Unit).order_by(Unit.kind, Unit.name)).scalars().all()


def get_unit(unit_id):
    """The unit with this id, or None (also for no id)."""
    return db.session.get(Unit, unit_id) if unit_id else None
