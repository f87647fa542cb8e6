"""Human labels for ticket codes, shared by the web pages, API, dashboard and digests.

The msgids are English; the Indonesian labels live in the tickets catalogue.
Values are lazy strings: call ``str()`` (or render them) inside a request or
a ``force_locale`` block to get the user's language.
"""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "money_politics": _l("money politics"),
    "identity_politics": _l("identity politics (SARA)"),
    "hoax": _l("hoax / hate speech"),
    "supporter_conflict": _l("conflict between supporters"),
    "campaign_violation": _l("campaign violation / damaged campaign props"),
    "neutrality": _l("neutrality of civil servants / village heads"),
    "election_logistics": _l("election logistics"),
    "voter_roll": _l("voter roll problem"),
    "pilkades_dispute": _l("village head election dispute"),
    "land_dispute": _l("land dispute"),
    "social_conflict": _l("social conflict"),
    "crime": _l("crime / security"),
    "disaster": _l("natural disaster"),
    "public_service": _l("public service / infrastructure"),
    "other": _l("other"),
}

SEVERITY_LABELS = {
    "low": _l("low"),
    "medium": _l("medium"),
    "high": _l("high"),
    "critical": _l("critical"),
}

STATUS_LABELS = {
    "new": _l("new"),
    "triaged": _l("triaged"),
    "in_progress": _l("in progress"),
    "escalated": _l("escalated"),
    "resolved": _l("resolved"),
    "closed": _l("closed"),
    "rejected": _l("rejected"),
}

LEVEL_LABELS = {
    "koramil": _l("Koramil"),
    "kodim": _l("Kodim"),
}

ACTION_LABELS = {
    "triage": _l("Triage"),
    "start": _l("Start work"),
    "escalate": _l("Escalate to Kodim"),
    "resolve": _l("Resolve"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
    "reject": _l("Reject"),
}

EVENT_LABELS = {
    "created": _l("created"),
    "comment": _l("comment"),
    "status": _l("status"),
    "severity": _l("severity"),
    "category": _l("category"),
    "escalated": _l("escalated"),
    "flag_raised": _l("flag raised"),
    "flag_cleared": _l("flag cleared"),
    "photo_added": _l("photo added"),
    "duplicate_of": _l("rejected as a duplicate of"),
    "has_duplicate": _l("duplicate linked"),
    "anonymised": _l("personal data removed"),
}
