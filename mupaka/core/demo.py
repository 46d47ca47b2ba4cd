"""The demo institution: a fictitious COOPEC in Bukavu.

``mupaka demo`` calls ``build(ctx)`` of each installed Mupaka app's ``demo``
module, in the order of INSTALLED_APPS; the core goes first and creates the
institution, its branches and one user per role.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction

from mupaka.core.models import Branch, Institution, User
from mupaka.core.roles import Role

DEMO_PASSWORD = "mupaka-demo-2026"
DEMO_BUSINESS_DATE = dt.date(2026, 11, 27)

# username → (role, branch code or None for all branches, first name, last name)
DEMO_USERS = {
    "admin": (Role.ADMIN, None, "Amani", "Bisimwa"),
    "teller": (Role.TELLER, "BKV", "Neema", "Cirhuza"),
    "officer": (Role.LOAN_OFFICER, "BKV", "Espoir", "Mugisho"),
    "committee": (Role.COMMITTEE, "BKV", "Jeanne", "Nabintu"),
    "accountant": (Role.ACCOUNTANT, None, "Patrick", "Kabemba"),
    "manager": (Role.MANAGER, "BKV", "Solange", "Mapendo"),
    "auditor": (Role.AUDITOR, None, "Innocent", "Habimana"),
    "coordinator": (Role.COORDINATOR, None, "Claudine", "Ndayishimiye"),
}

DEMO_BRANCHES = [
    ("BKV", "Bukavu centre", "Bukavu"),
    ("RZZ", "Ruzizi I (poste frontalier)", "Bukavu"),
    ("KML", "Kamanyola", "Kamanyola"),
]


@dataclass
class DemoContext:
    institution: Institution
    branches: dict[str, Branch]
    users: dict[str, User]
    rng: random.Random
    members: int = 200
    extra: dict = field(default_factory=dict)
    out: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.out.append(line)


@transaction.atomic
def build_core(*, members: int = 200, seed: int = 2026) -> DemoContext:
    inst = Institution.objects.create(
        name="COOPEC Mupaka Bukavu (démo)",
        short_name="COOPEC Mupaka",
        country="CD",
        base_currency="USD",
        accepted_currencies=["USD", "CDF", "RWF", "BIF"],
        regulatory_preset="drc",
        business_date=DEMO_BUSINESS_DATE,
        weekend_days=[7],
    )
    branches = {
        code: Branch.objects.create(institution=inst, code=code, name=name, town=town, country="CD")
        for code, name, town in DEMO_BRANCHES
    }
    users: dict[str, User] = {}
    for username, (role, branch_code, first, last) in DEMO_USERS.items():
        user = User(
            username=username,
            role=role,
            first_name=first,
            last_name=last,
            branch=branches.get(branch_code) if branch_code else None,
            is_staff=False,
            language="fr",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[username] = user
    return DemoContext(
        institution=inst, branches=branches, users=users, rng=random.Random(seed), members=members
    )
