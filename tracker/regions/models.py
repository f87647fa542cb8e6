"""The region table: one row per Kemendagri code, all four levels."""
from sqlalchemy import Index, String, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class Region(db.Model):
    """A province, kabupaten/kota, kecamatan or village.

    The ancestor codes are stored on every row so that scope checks and
    aggregates join on an indexed column instead of walking the tree.
    """

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(String(13))
    province_code: Mapped[str] = mapped_column(String(2))
    regency_code: Mapped[str | None] = mapped_column(String(5))
    district_code: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_region_level_name", "level", "name"),
        Index("ix_region_regency_level", "regency_code", "level"),
        Index("ix_region_district_level", "district_code", "level"),
        Index("ix_region_parent_code", "parent_code"),
    )

    @property
    def is_village(self):
        return self.level == 4

    @property
    def holds_pilkades(self):
        """Kelurahan have no village head election."""
        return self.kind in ("desa", "desa_adat")

    def __repr__(self):
        return f"<Region {self.code} {self.name}>"
