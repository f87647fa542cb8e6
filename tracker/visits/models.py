"""Komsos visits: a Babinsa meeting people in a village."""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Double, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


class Visit(db.Model):
    """One visit; it may raise several tickets."""

    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    babinsa_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    visited_on: Mapped[date] = mapped_column(Date)
    met_with: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Where the visit took place, when the Babinsa asked his phone (tracker.geo): all three or none.
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    accuracy_m: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    babinsa = relationship("User")
    village = relationship("Region")

    __table_args__ = (Index("ix_visit_village_visited_on", "village_code", "visited_on"),)
