"""Form bodies for the visit form (Kunjungan baru): the visit and its problem entries."""
from tests.plugins.world import KEMIRI


def visit_form(**extra):
    """A valid visit to Kemiri, without problems; ``extra`` adds or replaces fields."""
    data = {"village_code": KEMIRI, "visited_on": "2026-03-02", "met_with": "Kades", "notes": "Situasi kondusif"}
    data.update(extra)
    return data


def entry(index, **fields):
    """Problem entry ``index`` (its ``tickets-<index>-`` fields), valid unless ``fields`` say otherwise."""
    base = {"category": "hoax", "severity": "medium", "title": f"Masalah {index}", "description": "", "parties": ""}
    base.update(fields)
    return {f"tickets-{index}-{k}": v for k, v in base.items()}
