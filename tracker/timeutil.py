"""Clock and time-zone helpers shared by every feature."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo


def utcnow():
    """The current time as an aware UTC datetime (time-machine can move it)."""
    return datetime.now(timezone.utc)


def as_utc(value):
    """Make a datetime aware in UTC; SQLite hands back naive UTC values."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def local_date(moment, tz_name):
    """The calendar date of an instant in a time zone."""
    return as_utc(moment).astimezone(ZoneInfo(tz_name)).date()


def local_midnight_utc(day: date, tz_name):
    """The UTC instant at which a local day starts."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)
