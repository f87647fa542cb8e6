"""Imports every feature's models so the metadata is complete.

Only an index: each table lives in its feature's ``models.py``.
"""
from tracker.attachments.models import Attachment, AttachmentBlob  # noqa: F401
from tracker.audit.models import AuditEvent  # noqa: F401
from tracker.auth.models import ApiToken, BabinsaVillage, LoginFailure, User, UserSession  # noqa: F401
from tracker.counters.models import TicketDayTally, TicketTally, VillageOpen  # noqa: F401
from tracker.digests.models import OutboxMessage  # noqa: F401
from tracker.elections.models import Election, ElectionArea, ElectionStage  # noqa: F401
from tracker.idempotency.models import IdempotencyKey  # noqa: F401
from tracker.jobs.models import JobRun  # noqa: F401
from tracker.news.models import NewsReadMarker  # noqa: F401
from tracker.regions.models import Region  # noqa: F401
from tracker.tickets.models import Ticket, TicketCounter, TicketEvent  # noqa: F401
from tracker.tickets import search  # noqa: F401,E402  (the SQLite search index: create_all listeners)
from tracker.units.models import Unit, UnitRegion  # noqa: F401
from tracker.visits.models import Visit  # noqa: F401
from tracker.warnings.models import Flag, SilenceSnapshot, SilentVillage  # noqa: F401
