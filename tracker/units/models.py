"""Command units: Kodam > Korem > Kodim > Koramil, and the regions they cover."""
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.regions.codes import TIMEZONE_LABELS, WIB, timezone_of

UNIT_KINDS = ("kodam", "korem", "kodim", "koramil")
# What a unit of each kind covers: a Kodim kabupaten/kota, a Koramil kecamatan.
COVERED_LEVEL = {"kodim": 2, "koramil": 3}


class Unit(db.Model):
    """One command unit. ``number`` is the unit's own number (``0727``)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[str | None] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent")
    regions: Mapped[list["UnitRegion"]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitRegion.region_code"
    )

    @property
    def region_codes(self):
        return [r.region_code for r in self.regions]

    @property
    def timezone(self):
        """The unit's time zone, from the province of its first covered region."""
        codes = self.region_codes
        if not codes and self.parent is not None:
            return self.parent.timezone
        return timezone_of(codes[0]) if codes else WIB

    @property
    def timezone_label(self):
        return TIMEZONE_LABELS[self.timezone]

    def kodim(self):
        """The Kodim this unit belongs to (itself for a Kodim), or None."""
        unit = self
        while unit is not None and unit.kind != "kodim":
            unit = unit.parent
        return unit

    def __repr__(self):
        return f"<Unit {self.kind} {self.name}>"


class UnitRegion(db.Model):
    """A region a Kodim (kabupaten/kota) or Koramil (kecamatan) covers."""

    __tablename__ = "unit_region"
    __table_args__ = (UniqueConstraint("unit_id", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)

    unit: Mapped[Unit] = relationship(back_populates="regions")
