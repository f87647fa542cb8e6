"""Demo tickets and visits: about 60 tickets over the last 90 days in Kabupaten Karanganyar.

Every status, severity and category appears; Babinsa file in their own
villages after a visit, the Danramil and the Dandim elsewhere in their area;
timelines (triage, escalation, resolution, comments) lie in the past. Kemiri
and Kebak keep several unresolved tickets, so the elections demo's sweep has
something to flag. Everything goes through the services; only the times are
moved back afterwards. Deterministic for a given "now" (``random.Random``).
"""
import random
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tracker.extensions import db
from tracker.regions.codes import WIB
from tracker.regions.models import Region
from tracker.tickets.models import CATEGORIES, SEVERITIES, TicketEvent
from tracker.tickets.services import add_comment, create_ticket, due_at_for, reclassify, transition
from tracker.timeutil import local_date, utcnow
from tracker.visits.services import record_visit

SEED = 727
KEMIRI, KEBAK, WARU, JATEN = "33.13.14.2005", "33.13.14.2006", "33.13.14.2007", "33.13.11.2003"
DAYS = 90

TITLES = {
    "money_politics": ["Pembagian amplop menjelang Pilkades", "Sembako dibagikan oleh tim sukses",
                       "Isu serangan fajar beredar di dusun"],
    "identity_politics": ["Ceramah bernada SARA di pengajian", "Selebaran provokatif soal agama calon"],
    "hoax": ["Pesan berantai hoaks di grup WhatsApp warga", "Video lama disebar sebagai kejadian baru",
             "Hoaks surat suara sudah dicoblos"],
    "supporter_conflict": ["Cekcok pendukung dua calon di pos ronda", "Keributan saat konvoi pendukung"],
    "campaign_violation": ["Spanduk calon dirusak di Dusun II", "APK dipasang di pohon dan tiang listrik",
                           "Kampanye di luar jadwal di balai dusun"],
    "neutrality": ["Perangkat desa ikut mengarahkan warga", "ASN hadir di acara tim pemenangan"],
    "election_logistics": ["Atap gudang logistik bocor", "Akses jalan ke lokasi TPS rusak"],
    "voter_roll": ["Warga pindahan belum masuk DPT", "Nama warga yang meninggal masih di DPT"],
    "pilkades_dispute": ["Protes persyaratan bakal calon kades", "Keberatan atas hasil seleksi bakal calon"],
    "land_dispute": ["Sengketa batas sawah antarwarga", "Klaim atas tanah kas desa"],
    "social_conflict": ["Perselisihan pemuda antardusun", "Ketegangan soal giliran air irigasi"],
    "crime": ["Pencurian ternak berulang", "Balap liar dan miras di jalan desa"],
    "disaster": ["Longsor kecil menutup jalan dusun", "Luapan sungai merendam rumah warga"],
    "public_service": ["Jalan desa rusak belum diperbaiki", "Keluhan penyaluran bantuan sosial"],
    "other": ["Pendatang menginap tanpa lapor RT", "Keluhan pengeras suara hingga larut malam"],
}
PARTIES = {
    "supporter_conflict": "Pendukung dua bakal calon", "land_dispute": "Pemilik lahan yang berbatasan",
    "social_conflict": "Pemuda Dusun I dan Dusun III", "pilkades_dispute": "Panitia Pilkades dan bakal calon",
    "neutrality": "Perangkat desa", "money_politics": "Tim sukses (belum diketahui)",
}
MET_WITH = ["Kepala Desa", "Sekretaris Desa", "Ketua RT 03", "Tokoh agama", "Bhabinkamtibmas", "Ketua BPD",
            "Karang Taruna"]
VISIT_NOTES = ["Situasi kondusif.", "Warga mengeluhkan isu yang beredar di grup WhatsApp.",
               "Koordinasi menjelang Pilkades.", "Ronda malam berjalan."]
COMMENTS = ["Sudah dikoordinasikan dengan Bhabinkamtibmas.", "Warga diimbau tidak terprovokasi.",
            "Dipantau terus sampai hari pemungutan suara.", "Kepala desa sudah menerima laporan ini."]
ESCALATE_REASONS = ["Melibatkan warga lintas desa; butuh dukungan Kodim.",
                    "Potensi konflik meluas menjelang Pilkades."]
RESOLVE_REASONS = ["Dimediasi bersama kepala desa dan Bhabinkamtibmas; kedua pihak sepakat damai.",
                   "Diteruskan ke Panwas; situasi kondusif.", "Sudah ditangani dinas terkait."]
REJECT_REASONS = ["Bukan masalah keamanan; diteruskan ke dinas terkait.", "Laporan tidak dapat diverifikasi di lapangan."]
# The steps that bring a ticket to each status; "comment" and "reclassify"
# only add to the timeline. ESCALATED_PATHS go through the Kodim.
PATHS = {
    "new": [],
    "triaged": ["triage"],
    "in_progress": ["triage", "comment", "start"],
    "escalated": ["triage", "escalate"],
    "resolved": ["triage", "start", "comment", "resolve"],
    "closed": ["triage", "start", "resolve", "close"],
    "rejected": ["reject"],
}
ESCALATED_PATHS = {
    "resolved": ["triage", "escalate", "start", "comment", "resolve"],
    "closed": ["triage", "escalate", "start", "resolve", "close"],
}


def _villages(district_code):
    return db.session.execute(
        select(Region.code).where(Region.district_code == district_code, Region.level == 4).order_by(Region.code)
    ).scalars().all()


def _other_villages():
    return db.session.execute(
        select(Region.code).where(Region.regency_code == "33.13", Region.level == 4,
                                  Region.district_code.notin_(("33.13.14", "33.13.11"))).order_by(Region.code)
    ).scalars().all()


def _plan(rng, users):
    """[(reporter, village, days_ago, status, escalated_path)] for about 60 tickets."""
    kebakkramat_others = [c for c in _villages("33.13.14") if c not in (KEMIRI, KEBAK, WARU)]
    jaten_others = [c for c in _villages("33.13.11") if c != JATEN]
    others = _other_villages()
    plan = []
    # Kemiri and Kebak: unresolved ones of every age and severity for the sweep, plus some history.
    for village, days_ago, status in (
        (KEMIRI, 2, "new"), (KEMIRI, 6, "triaged"), (KEMIRI, 12, "in_progress"), (KEMIRI, 25, "escalated"),
        (KEMIRI, 40, "closed"), (KEMIRI, 70, "resolved"), (KEMIRI, 55, "rejected"),
        (KEBAK, 1, "new"), (KEBAK, 9, "in_progress"), (KEBAK, 18, "triaged"), (KEBAK, 33, "in_progress"),
        (KEBAK, 60, "closed"), (KEBAK, 80, "closed"), (KEBAK, 45, "resolved"),
    ):
        plan.append((users["babinsa.kemiri"], village, days_ago, status))
    # Waru: quiet lately (no visit in the last 18 days), so it shows as a silent village.
    for days_ago, status in ((19, "in_progress"), (27, "resolved"), (41, "closed"), (52, "triaged"),
                             (66, "closed"), (85, "rejected")):
        plan.append((users["babinsa.waru"], WARU, days_ago, status))
    for days_ago, status in ((3, "new"), (8, "escalated"), (15, "in_progress"), (22, "resolved"),
                             (37, "closed"), (48, "closed"), (63, "resolved"), (77, "closed")):
        plan.append((users["babinsa.jaten"], JATEN, days_ago, status))
    # Commanders file what reached them by phone, elsewhere in their area.
    statuses = ["new", "triaged", "in_progress", "escalated", "resolved", "closed", "closed", "rejected"]
    for reporter, pool, count in ((users["danramil.kebakkramat"], kebakkramat_others, 8),
                                  (users["danramil.jaten"], jaten_others, 8),
                                  (users["dandim.karanganyar"], others, 16)):
        for n in range(count):
            plan.append((reporter, rng.choice(pool), rng.randint(1, DAYS - 1), statuses[(n * 3 + count) % len(statuses)]))
    # Oldest first, so references grow with the report time as they would have.
    plan.sort(key=lambda item: -item[2])
    return [(reporter, village, days_ago, status, status in ESCALATED_PATHS and rng.random() < 0.35)
            for reporter, village, days_ago, status in plan]


def _moment(rng, now, days_ago):
    """A daytime moment (07:00–19:00 WIB) ``days_ago`` days before now, never in the future."""
    day = local_date(now, WIB) - timedelta(days=days_ago)
    local = datetime.combine(day, time(7), tzinfo=ZoneInfo(WIB)) + timedelta(minutes=rng.randint(0, 12 * 60))
    return min(local.astimezone(timezone.utc), now - timedelta(hours=1))


def _actors(users, village, reporter):
    """Who acts on a ticket in this village: (koramil-level actor, kodim actor, starter)."""
    district = village.rsplit(".", 1)[0]
    koramil = {"33.13.14": users["danramil.kebakkramat"], "33.13.11": users["danramil.jaten"]}.get(
        district, users["dandim.karanganyar"])
    starter = reporter if reporter.role == "babinsa" else koramil
    return koramil, users["dandim.karanganyar"], starter


def seed(users):
    """Add the demo visits, tickets and timelines (flush only; the ``seed demo`` command commits)."""
    rng = random.Random(SEED)
    by_name = {u.username: u for u in users}
    now = utcnow()
    categories = list(CATEGORIES) * 4
    rng.shuffle(categories)
    severities = ["low", "medium", "medium", "high", "high", "critical"]
    visited = set()

    for index, (reporter, village, days_ago, status, via_kodim) in enumerate(_plan(rng, by_name)):
        reported = _moment(rng, now, days_ago)
        category = categories[index % len(categories)]
        severity = SEVERITIES[index % 4] if index < 8 else rng.choice(severities)
        visit_id = None
        if reporter.role == "babinsa":
            visit = record_visit(reporter, village_code=village, visited_on=local_date(reported, WIB),
                                 met_with=rng.choice(MET_WITH), notes=rng.choice(VISIT_NOTES))
            visit.created_at = reported
            visit_id = visit.id
            visited.add((village, days_ago))
        ticket = create_ticket(
            reporter, village_code=village, category=category, severity=severity,
            title=rng.choice(TITLES[category]),
            description="Laporan warga saat Komsos; perlu dipantau. " + rng.choice(COMMENTS),
            occurred_on=local_date(reported, WIB) - timedelta(days=rng.choice((0, 0, 1, 2))),
            visit_id=visit_id, sensitive=category == "identity_politics" or index % 17 == 5,
            parties=PARTIES.get(category, ""),
        )
        _walk(rng, ticket, status, via_kodim, _actors(by_name, village, reporter), reported, now)

    _extra_visits(rng, by_name, now, visited)
    db.session.flush()


def _walk(rng, ticket, status, via_kodim, actors, reported, now):
    """Take the ticket to its status through the services, then move every time back."""
    koramil, kodim, starter = actors
    steps = ESCALATED_PATHS[status] if via_kodim else PATHS[status]
    if status == "in_progress" and rng.random() < 0.25:
        steps = ["triage", "start", "resolve", "reopen"]
    if status in ("in_progress", "triaged") and rng.random() < 0.3:
        steps = steps + ["reclassify"]
    escalated = False
    for step in steps:
        if step == "comment":
            add_comment(rng.choice((koramil, starter)), ticket, rng.choice(COMMENTS))
        elif step == "reclassify":
            higher = SEVERITIES[min(SEVERITIES.index(ticket.severity) + 1, 3)]
            if higher != ticket.severity:
                reclassify(koramil, ticket, severity=higher, reason="Eskalasi situasi di lapangan.")
        elif step == "escalate":
            transition(koramil, ticket, "escalate", reason=rng.choice(ESCALATE_REASONS))
            escalated = True
        elif step == "reject":
            transition(koramil, ticket, "reject", reason=rng.choice(REJECT_REASONS))
        elif step == "resolve":
            actor = kodim if escalated else starter
            transition(actor, ticket, "resolve", reason=rng.choice(RESOLVE_REASONS))
        else:
            actor = {"triage": koramil, "start": kodim if escalated else starter,
                     "close": kodim if escalated else koramil}.get(step, koramil)
            transition(actor, ticket, step, reason="Masalah muncul lagi." if step == "reopen" else None)
    db.session.flush()
    _backdate(rng, ticket, reported, now)


def _backdate(rng, ticket, reported, now):
    """Spread the timeline between the report and now, in order, all in the past."""
    events = db.session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    ).scalars().all()
    span = now - timedelta(minutes=30) - reported
    at = reported
    for position, event in enumerate(events):
        if position:
            at = at + (reported + span * position / len(events) - at) * rng.uniform(0.6, 1.0) + timedelta(minutes=5)
        event.at = at
        if event.to_value == "resolved" and ticket.resolved_at is not None:
            ticket.resolved_at = at
    ticket.reported_at = reported
    ticket.due_at = due_at_for(ticket.severity, reported)
    ticket.updated_at = events[-1].at


def _extra_visits(rng, users, now, visited):
    """Regular Komsos visits without tickets, so "last visit" means something (Waru stays quiet)."""
    for username, villages, quiet_days in (("babinsa.kemiri", (KEMIRI, KEBAK), 0),
                                           ("babinsa.waru", (WARU,), 18),
                                           ("babinsa.jaten", (JATEN,), 0)):
        for village in villages:
            for days_ago in range(DAYS - 3, quiet_days, -rng.randint(6, 11)):
                if (village, days_ago) in visited:
                    continue
                visit = record_visit(users[username], village_code=village,
                                     visited_on=local_date(now, WIB) - timedelta(days=days_ago),
                                     met_with=rng.choice(MET_WITH), notes=rng.choice(VISIT_NOTES))
                visit.created_at = _moment(rng, now, days_ago)
