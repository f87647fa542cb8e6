"""Region names by code, for pages and answers that show a village's kecamatan or kabupaten."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.regions.models import Region


def region_names(codes):
    """{code: name} of the given region codes (one query; unknown codes are left out)."""
    return dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(set(codes)))).all())
