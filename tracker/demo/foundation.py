"""Demo regions, units and users for Kabupaten Karanganyar."""
import os

from sqlalchemy import select

from tracker.auth.services import assign_villages, create_user
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.regions.services import import_regions
from tracker.units.models import Unit
from tracker.units.services import create_unit

DEMO_PASSWORD = "waspada-demo"
KODIM_NAME = "Kodim 0727/Karanganyar"

# Koramil numbers in Kodim 0727 for the kecamatan the demo names; the rest
# are numbered after them in code order.
_KORAMIL_NUMBERS = {"33.13.14": "03"}

DEMO_USERS = (
    # username, role, unit (None: the Kodim; a kecamatan code: its Koramil), full name, rank, villages
    ("admin", "admin", "", "Operator Waspada", None, ()),
    ("dandim.karanganyar", "kodim", None, "Dandim 0727/Karanganyar", "Letkol Inf", ()),
    ("danramil.kebakkramat", "koramil", "33.13.14", "Danramil 03/Kebakkramat", "Kapten Inf", ()),
    ("danramil.jaten", "koramil", "33.13.11", "Danramil Jaten", "Kapten Inf", ()),
    ("babinsa.kemiri", "babinsa", "33.13.14", "Babinsa Kemiri", "Serda", ("33.13.14.2005", "33.13.14.2006")),
    ("babinsa.waru", "babinsa", "33.13.14", "Babinsa Waru", "Sertu", ("33.13.14.2007",)),
    ("babinsa.jaten", "babinsa", "33.13.11", "Babinsa Jaten", "Serka", ("33.13.11.2003",)),
)


def karanganyar_csv():
    """The demo kabupaten as a code,name CSV, from the list shipped beside this module."""
    lines = ["code,name", "33,Jawa Tengah", "33.13,Kabupaten Karanganyar"]
    path = os.path.join(os.path.dirname(__file__), "karanganyar.txt")
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            raw = raw.strip()
            if not raw or raw.startswith("#"):
                continue
            head, villages = raw.split(":", 1)
            district, name = head.split(" ", 1)
            lines.append(f"{district},{name}")
            for item in villages.split(","):
                part, village = item.strip().split(" ", 1)
                lines.append(f"{district}.{part},{village}")
    return "\n".join(lines) + "\n"


def koramil_name(name, number):
    return f"Koramil {number}/{name}" if number else f"Koramil {name}"


def seed():
    """Regions, Kodam > Korem > Kodim 0727 > one Koramil per kecamatan, demo users."""
    import_regions(karanganyar_csv())
    kodam = create_unit(kind="kodam", name="Kodam IV/Diponegoro", number="IV")
    korem = create_unit(kind="korem", name="Korem 074/Warastratama", number="074", parent=kodam)
    kodim = create_unit(kind="kodim", name=KODIM_NAME, number="0727", parent=korem, region_codes=["33.13"])
    koramil_by_district = {}
    districts = db.session.execute(
        select(Region).where(Region.regency_code == "33.13", Region.level == 3).order_by(Region.code)
    ).scalars()
    for district in districts:
        number = _KORAMIL_NUMBERS.get(district.code)
        koramil_by_district[district.code] = create_unit(
            kind="koramil", name=koramil_name(district.name, number),
            number=number, parent=kodim, region_codes=[district.code],
        )

    users = []
    for username, role, unit_key, full_name, rank, villages in DEMO_USERS:
        unit = kodim if unit_key is None else koramil_by_district.get(unit_key)
        commander = role in ("kodim", "koramil")
        user = create_user(
            username=username, full_name=full_name, role=role, password=DEMO_PASSWORD,
            unit=unit, rank=rank, email=f"{username}@waspada.example" if commander or role == "admin" else None,
            digest=commander,
        )
        if villages:
            assign_villages(user, villages)
        users.append(user)
    return users


def is_empty():
    """True when no unit exists yet (a fresh database)."""
    return db.session.execute(select(Unit.id).limit(1)).first() is None
