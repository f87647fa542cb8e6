"""What the election form offers a user: the areas he may choose, read through the scope helper.

A Kodim chooses inside his own kabupaten: its kabupaten as the area of a
Pilkada or Pileg, or its desa for a Pilkades (a few hundred, listed by
kecamatan). An administrator chooses any province or kabupaten, and for a
Pilkades the desa of one kabupaten at a time: no page lists the 75,000
desa of Indonesia. The service (``tracker.elections.services``) still
checks every code it is given, so these lists only shape the form.
"""
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker import scope
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.units.models import UnitRegion

# Kelurahan hold no Pilkades (Region.holds_pilkades).
PILKADES_KINDS = ("desa", "desa_adat")
# What a region code looks like ("33", "33.13", "33.13.14", "33.13.14.2005"); a posted value
# that does not is no code of a listed region, and never reaches a query.
CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")


def region_codes(values):
    """The values that look like region codes, in order, once each."""
    return list(dict.fromkeys(v for v in values or () if isinstance(v, str) and CODE.fullmatch(v)))


@dataclass
class Group:
    """A parent region (kecamatan, province) and the regions chosen inside it (code, name)."""

    code: str
    name: str
    items: list = field(default_factory=list)

    @property
    def codes(self):
        return [code for code, _name in self.items]


def scope_kinds(user):
    """The areas a user may give an election other than a Pilkades: an administrator a national one too."""
    return ("national", "regions") if user.role == "admin" else ("regions",)


def _grouped(rows):
    groups = {}
    for group_code, group_name, code, name in rows:
        groups.setdefault(group_code, Group(group_code, group_name)).items.append((code, name))
    return list(groups.values())


def village_groups(user, regency_code=None):
    """The desa holding a Pilkades that the user may choose, by kecamatan (one query).

    ``regency_code`` keeps one kabupaten's; an administrator's list is
    always one kabupaten's (empty without one).
    """
    if regency_code is not None and not region_codes([regency_code]):
        return []
    if user.role == "admin" and not regency_code:
        return []
    village = scope.villages(user).subquery()
    district = aliased(Region)
    stmt = (
        select(district.code, district.name, village.c.code, village.c.name)
        .join(district, district.code == village.c.district_code)
        .where(village.c.kind.in_(PILKADES_KINDS))
        .order_by(district.name, district.code, village.c.name, village.c.code)
    )
    if regency_code:
        stmt = stmt.where(village.c.regency_code == regency_code)
    return _grouped(db.session.execute(stmt).all())


def villages_of_districts(user, district_codes):
    """The codes of the Pilkades desa in these kecamatan that the user may choose (one query)."""
    codes = region_codes(district_codes)
    if not codes:
        return []
    village = scope.villages(user).subquery()
    return list(db.session.execute(
        select(village.c.code).where(village.c.district_code.in_(codes), village.c.kind.in_(PILKADES_KINDS))
        .order_by(village.c.code)
    ).scalars())


def region_groups(user):
    """The provinces and kabupaten the user may give as an election's area, by province (one query).

    A Kodim's are the kabupaten of his unit; an administrator's every
    province (the group itself) and kabupaten.
    """
    province = aliased(Region)
    regency = aliased(Region)
    stmt = (
        select(province.code, province.name, regency.code, regency.name)
        .join(regency, (regency.province_code == province.code) & (regency.level == 2))
        .where(province.level == 1)
        .order_by(province.code, regency.code)
    )
    if user.role != "admin":
        covered = select(UnitRegion.region_code).where(UnitRegion.unit_id == user.unit_id)
        stmt = stmt.where(regency.code.in_(covered))
    return _grouped(db.session.execute(stmt).all())


def own_regions(user):
    """A Kodim's kabupaten (his election's area unless he chooses otherwise); none for an administrator."""
    if user.role == "admin":
        return []
    return [code for group in region_groups(user) for code in group.codes]


def regencies(user):
    """(code, name, province name) of every kabupaten, for the administrator's desa list (one query)."""
    province = aliased(Region)
    return db.session.execute(
        select(Region.code, Region.name, province.name)
        .join(province, (province.code == Region.province_code) & (province.level == 1))
        .where(Region.level == 2).order_by(Region.code)
    ).all()


def named(codes):
    """{code: name} of the regions with these codes (one query)."""
    codes = region_codes(codes)
    if not codes:
        return {}
    return dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())
