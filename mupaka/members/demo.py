"""Demo members: Congolese, Rwandan and Burundian traders, their groups and AVEC.

``build(ctx)`` makes ``ctx.members`` members in all (default 200):

- the scenario people first, through the real services (so they have audit
  rows, checked phones and duplicate warnings): Furaha M'Bisimwa (scenario 1,
  phone +243 97 000 0001) and her sister Neema who shares the phone (registered
  with a duplicate reason), and the five traders of the solidarity group
  "Umoja Ruzizi" (scenario 2), active, with Zawadi as leader;
- then the mass, with ``bulk_create``: names, phones, identity documents,
  trader profiles, solidarity groups (3 to 10 members, at least 10 groups) and
  savings groups (AVEC). **The bulk load writes no audit row per member**: one
  ``member.demo_load`` row records how many were loaded and by what, so
  ``mupaka demo --members 10000`` stays well under a minute. The member numbers
  follow each branch's sequence and the counters are set to the last number
  used, so members registered afterwards continue the sequence.

Passed on in ``ctx.extra``: ``members`` (every member), ``furaha``,
``furaha_sister``, ``umoja_ruzizi`` (the group), ``umoja_ruzizi_members``,
``solidarity_groups``, ``savings_groups``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max
from django.utils import timezone

from mupaka.core.audit import audit_record
from mupaka.core.demo import DemoContext
from mupaka.members import services
from mupaka.members.domain.numbers import member_number_format
from mupaka.members.domain.text import name_tokens, search_text
from mupaka.members.models import (
    BorderPost,
    IdType,
    Member,
    MemberNameToken,
    MemberNumberCounter,
    MemberStatus,
    SavingsGroup,
    SavingsGroupMembership,
    SolidarityGroup,
    SolidarityGroupMembership,
    TraderProfile,
)
from mupaka.members.services import TraderProfileData

# --- names --------------------------------------------------------------------

CD_WOMEN = [
    "Furaha", "Neema", "Mapendo", "Bahati", "Zawadi", "Riziki", "Nabintu", "Mwamini",
    "Faraja", "Imani", "Sifa", "Tumaini", "Rehema", "Mariamu", "Amina", "Salama", "Asha",
    "Halima", "Zuhura", "Esther", "Josephine", "Jeanne", "Solange", "Aline", "Chantal",
    "Espérance", "Béatrice", "Clémentine", "Nsimire", "Cikuru", "Bulonza", "Namegabe",
    "M'Nabuhoro", "Vumilia", "Safi", "Anuarite", "Feza", "Kahindo",
]  # fmt: skip
CD_MEN = [
    "Bahati", "Amani", "Espoir", "Jean-Pierre", "Patrick", "Baraka", "Jonas", "Innocent",
    "Bienvenu", "Hamisi", "Justin", "Aimé", "Désiré", "Prince",
]  # fmt: skip
CD_FAMILY = [
    "M'Bisimwa", "Cirhuza", "Bagula", "Chishugi", "Birindwa", "Mushagalusa", "Murhula",
    "Mugisho", "Nshobole", "Kabesa", "Bisimwa", "Cibalonza", "Mulume", "Akonkwa",
    "Byamungu", "Kitoga", "Mulenda", "Wakilongo", "Asumani", "Kalimba", "Lukeba",
    "Muzaliwa", "Bashige", "Ntabala", "Zihindula", "Balagizi", "Mirindi", "Nabintu",
]  # fmt: skip
RW_WOMEN = [
    "Claudine", "Aline", "Diane", "Jeanne", "Vestine", "Alphonsine", "Immaculée", "Josiane",
    "Clarisse", "Grace", "Chantal", "Solange", "Donatille", "Agnès",
]  # fmt: skip
RW_MEN = ["Emmanuel", "Jean Bosco", "Eric", "Théoneste", "Olivier", "Fabrice"]
RW_FAMILY = [
    "Uwimana", "Mukamana", "Nyirahabimana", "Uwase", "Ingabire", "Mukandayisenga",
    "Uwamahoro", "Umutoni", "Mutoni", "Iradukunda", "Nyiransabimana", "Mukeshimana",
    "Habimana", "Niyonsenga", "Mugabo", "Kamanzi", "Ndayisaba", "Uwera",
]  # fmt: skip
BI_WOMEN = [
    "Goreth", "Annonciata", "Odette", "Médiatrice", "Jeanine", "Spès", "Divine", "Belyse",
    "Aimée", "Sandrine", "Claudette", "Fidélité", "Ange",
]  # fmt: skip
BI_MEN = ["Pierre Claver", "Désiré", "Egide", "Fiacre", "Léonidas", "Dieudonné"]
BI_FAMILY = [
    "Ndayishimiye", "Niyonzima", "Irakoze", "Kaneza", "Niyonkuru", "Hakizimana",
    "Ndikumana", "Nshimirimana", "Ndayizeye", "Bizimana", "Nduwimana", "Inamahoro",
    "Ineza", "Kezakimana", "Nkurunziza", "Ntahomvukiye",
]  # fmt: skip

# country → (share of members, women, men, family names, phone prefix and digits,
# usual ID document, province, towns and quarters, language)
ORIGINS = {
    "CD": (
        0.62,
        CD_WOMEN,
        CD_MEN,
        CD_FAMILY,
        ("+24397", 7, "+24399", 7, "+24381", 7),
        IdType.VOTER_CARD,
        "Sud-Kivu",
        {
            "Bukavu": ["Kadutu", "Ibanda", "Bagira", "Nyawera", "Panzi", "Nguba", "Muhumba"],
            "Uvira": ["Kalundu", "Kavimvira", "Mulongwe", "Rombe"],
            "Kamanyola": ["Centre", "Katogota"],
        },
        ["sw", "fr", "sw", "sw"],
    ),
    "RW": (
        0.24,
        RW_WOMEN,
        RW_MEN,
        RW_FAMILY,
        ("+25078", 7, "+25073", 7, "+25072", 7),
        IdType.NATIONAL_ID,
        "Province de l'Ouest",
        {
            "Rusizi": ["Kamembe", "Gihundwe", "Mururu", "Bugarama"],
            "Rubavu": ["Gisenyi", "Nyamyumba"],
        },
        ["rw", "rw", "sw", "fr"],
    ),
    "BI": (
        0.14,
        BI_WOMEN,
        BI_MEN,
        BI_FAMILY,
        ("+25779", 6, "+25771", 6, "+25768", 6),
        IdType.NATIONAL_ID,
        "Bujumbura",
        {"Gatumba": ["Gaharawe", "Kinyinya"], "Bujumbura": ["Buyenzi", "Bwiza", "Kamenge"]},
        ["rn", "rn", "sw", "fr"],
    ),
}

GOODS = [
    "tomates", "farine de manioc", "haricots", "oignons", "bananes plantains", "poisson salé",
    "fretins (ndagala)", "huile de palme", "riz", "pagnes", "savon", "sucre", "avocats",
    "pommes de terre", "ciment", "habits d'occasion", "charbon de bois", "arachides",
]  # fmt: skip
GROUP_NAMES = [
    "Tujenge", "Amani", "Upendo", "Tumaini", "Umoja", "Twiyubake", "Duterimbere", "Jijenge",
    "Mama Shujaa", "Bidii", "Furaha", "Nguvu Moja", "Tusaidiane", "Abishyizehamwe",
    "Twisungane", "Dufatanye", "Mshikamano", "Kazi Ni Kazi", "Baraka", "Maendeleo",
]  # fmt: skip
AVEC_NAMES = [
    "AVEC Tujiokoe", "AVEC Twitezimbere", "AVEC Mama Bora", "AVEC Dukire", "AVEC Bidii",
    "AVEC Jitegemee", "AVEC Tugwize", "AVEC Amahoro", "AVEC Songa Mbele", "AVEC Uzima",
]  # fmt: skip
NEXT_OF_KIN = ["époux", "sœur", "frère", "mère", "fille", "fils", "tante", "cousine"]
BRANCH_SHARES = {"BKV": 0.5, "RZZ": 0.3, "KML": 0.2}
POSTS_BY_BRANCH = {
    "BKV": ["Ruzizi I / Rusizi I", "Ruzizi II / Rusizi II"],
    "RZZ": ["Ruzizi I / Rusizi I", "Ruzizi II / Rusizi II"],
    "KML": ["Kamanyola / Bugarama", "Ruzizi II / Rusizi II"],
}

BATCH = 2000


def build(ctx: DemoContext) -> None:
    officer = ctx.users["officer"]
    scenario = _scenario_members(ctx, officer)
    remaining = max(ctx.members - len(scenario), 0)
    mass = _mass_members(ctx, remaining) if remaining else []
    members = scenario + mass
    groups = _solidarity_groups(ctx, mass)
    avecs = _savings_groups(ctx, mass)
    _sync_counters()
    audit_record(
        actor=None,
        action="member.demo_load",
        object_type="members.member",
        object_id="*",
        object_repr=f"{len(mass)} demo members (bulk load)",
        after={
            "members": len(mass),
            "solidarity_groups": len(groups),
            "savings_groups": len(avecs),
        },
        reason="mupaka demo: bulk load without one audit row per member",
    )
    umoja = ctx.extra["umoja_ruzizi"]
    ctx.extra["members"] = members
    ctx.extra["solidarity_groups"] = [umoja, *groups]
    ctx.extra["savings_groups"] = avecs
    women = sum(1 for m in members if m.sex == "F")
    ctx.say(
        f"Members: {len(members)} ({women} women), {len(groups) + 1} solidarity groups, "
        f"{len(avecs)} savings groups (AVEC)."
    )
    furaha = ctx.extra["furaha"]
    ctx.say(
        f"Scenario 1: {furaha.number} {furaha.full_name}, {furaha.phone} "
        f"(her sister {ctx.extra['furaha_sister'].number} shares the phone)."
    )
    ctx.say(
        "Scenario 2: solidarity group “Umoja Ruzizi”: "
        + ", ".join(m.number for m in ctx.extra["umoja_ruzizi_members"])
    )


# --- the scenario people, through the services ----------------------------------


def _scenario_members(ctx: DemoContext, officer) -> list[Member]:
    bkv = ctx.branches["BKV"]
    posts = {p.name: p.pk for p in BorderPost.objects.all()}
    ruzizi = [posts["Ruzizi I / Rusizi I"]]
    furaha = services.member_register(
        actor=officer,
        branch=bkv,
        first_name="Furaha",
        last_name="M'Bisimwa",
        sex="F",
        birth_date=dt.date(1992, 4, 18),
        phone="+243 97 000 0001",
        language="sw",
        languages=["fr"],
        province="Sud-Kivu",
        town="Bukavu",
        quarter="Kadutu",
        id_type=IdType.VOTER_CARD,
        id_number="SK-0412-7731",
        next_of_kin_name="Neema M'Bisimwa",
        next_of_kin_relation="sœur",
        consent_sms=True,
        trader_profile=TraderProfileData(
            border_post_ids=ruzizi,
            goods_traded="tomates, farine de manioc",
            crossings_per_week=18,
            currencies=["USD", "CDF", "RWF"],
            daily_turnover="60",
            daily_turnover_currency="USD",
        ),
    )
    sister = services.member_register(
        actor=officer,
        branch=bkv,
        first_name="Neema",
        last_name="M'Bisimwa",
        sex="F",
        birth_date=dt.date(1996, 9, 2),
        phone="0970000001",
        language="sw",
        province="Sud-Kivu",
        town="Bukavu",
        quarter="Kadutu",
        id_type=IdType.VOTER_CARD,
        id_number="SK-0412-9902",
        next_of_kin_name="Furaha M'Bisimwa",
        next_of_kin_relation="sœur",
        consent_sms=True,
        trader_profile=TraderProfileData(
            border_post_ids=ruzizi,
            goods_traded="bananes plantains",
            crossings_per_week=12,
            currencies=["CDF", "RWF"],
            daily_turnover="40000",
            daily_turnover_currency="CDF",
        ),
        duplicate_reason="Sœur de Furaha : elles partagent le même téléphone.",
    )
    umoja_people = [
        ("Zawadi", "Cirhuza", dt.date(1985, 2, 11), "+243 97 000 0011", "tomates"),
        ("Riziki", "Bagula", dt.date(1990, 7, 23), "+243 97 000 0012", "farine de manioc"),
        ("Nabintu", "Chishugi", dt.date(1988, 12, 5), "+243 97 000 0013", "haricots"),
        ("Mwamini", "Birindwa", dt.date(1994, 3, 30), "+243 97 000 0014", "oignons"),
        ("Bahati", "Mushagalusa", dt.date(1991, 10, 8), "+243 97 000 0015", "poisson salé"),
    ]
    umoja = []
    for i, (first, last, born, phone, goods) in enumerate(umoja_people):
        member = services.member_register(
            actor=officer,
            branch=bkv,
            first_name=first,
            last_name=last,
            sex="F",
            birth_date=born,
            phone=phone,
            language="sw",
            province="Sud-Kivu",
            town="Bukavu",
            quarter=["Kadutu", "Ibanda", "Nyawera", "Bagira", "Panzi"][i],
            id_type=IdType.VOTER_CARD,
            id_number=f"SK-0388-{1201 + i}",
            consent_sms=True,
            trader_profile=TraderProfileData(
                border_post_ids=ruzizi,
                goods_traded=goods,
                crossings_per_week=[14, 18, 10, 21, 12][i],
                currencies=["USD", "CDF", "RWF"],
                daily_turnover=["80", "65", "50", "90", "55"][i],
                daily_turnover_currency="USD",
            ),
        )
        member = services.member_status_change(actor=officer, member=member, status="active")
        umoja.append(member)
    group = services.solidarity_group_create(
        actor=officer,
        branch=bkv,
        name="Umoja Ruzizi",
        members=umoja,
        leader=umoja[0],
        secretary=umoja[1],
        joint_liability=True,
        meeting_day=3,
        meeting_place="Marché de Kadutu",
    )
    ctx.extra.update(
        furaha=furaha, furaha_sister=sister, umoja_ruzizi=group, umoja_ruzizi_members=umoja
    )
    return [furaha, sister, *umoja]


# --- the mass, in bulk ------------------------------------------------------------


def _pick_weighted(rng, weights: dict[str, float]) -> str:
    x = rng.random()
    total = 0.0
    for key, share in weights.items():
        total += share
        if x < total:
            return key
    return next(reversed(weights))


def _mass_members(ctx: DemoContext, count: int) -> list[Member]:
    rng = ctx.rng
    business_date = ctx.institution.business_date
    officer = ctx.users["officer"]
    branches = {code: b for code, b in ctx.branches.items() if code in BRANCH_SHARES}
    shares = {code: BRANCH_SHARES[code] for code in branches}
    if not branches:  # another set of demo branches: spread evenly
        branches = dict(ctx.branches)
        shares = {code: 1 / len(branches) for code in branches}
    next_seq = {
        code: (Member.objects.filter(branch=b).aggregate(m=Max("sequence"))["m"] or 0)
        for code, b in branches.items()
    }
    origins = {c: o[0] for c, o in ORIGINS.items()}
    used_phones = set(Member.objects.values_list("phone", flat=True))
    posts = {p.name: p for p in BorderPost.objects.filter(is_active=True)}
    statuses = {"active": 0.80, "pending": 0.12, "inactive": 0.05, "exited": 0.03}
    now = timezone.now()

    members: list[Member] = []
    extras: list[dict] = []
    for _i in range(count):
        code = _pick_weighted(rng, shares)
        branch = branches[code]
        origin = _pick_weighted(rng, origins)
        (_share, women, men, families, phone_plan, usual_id, province, towns, langs) = ORIGINS[
            origin
        ]
        female = rng.random() < 0.85
        first = rng.choice(women if female else men)
        last = rng.choice(families)
        if last == first:
            last = rng.choice(families)
        middle = rng.choice(families) if origin == "CD" and rng.random() < 0.35 else ""
        if middle in (first, last):
            middle = ""
        age_days = rng.randint(19 * 365, 62 * 365)
        birth = business_date - dt.timedelta(days=age_days)
        phone = _phone(rng, phone_plan, used_phones)
        second = _phone(rng, phone_plan, used_phones) if rng.random() < 0.1 else ""
        town = rng.choice(list(towns))
        id_type, id_number, issued, expiry = _id_document(rng, origin, usual_id, business_date)
        language = rng.choice(langs)
        status = _pick_weighted(rng, statuses)
        next_seq[code] += 1
        seq = next_seq[code]
        consent_sms = rng.random() < 0.8
        consent_network = rng.random() < 0.5
        members.append(
            Member(
                branch=branch,
                sequence=seq,
                number=member_number_format(branch.code, seq),
                first_name=first,
                middle_name=middle,
                last_name=last,
                search_name=search_text(first, middle, last),
                sex="F" if female else "M",
                birth_date=birth,
                phone=phone,
                phone_secondary=second,
                language=language,
                languages=list(dict.fromkeys([language, *rng.sample(langs, 1)])),
                province=province,
                town=town,
                quarter=rng.choice(towns[town]),
                id_type=id_type,
                id_number=id_number,
                id_issue_date=issued,
                id_expiry_date=expiry,
                next_of_kin_name=f"{rng.choice(women + men)} {rng.choice(families)}",
                next_of_kin_relation=rng.choice(NEXT_OF_KIN),
                consent_sms=consent_sms,
                consent_sms_at=now if consent_sms else None,
                consent_network=consent_network,
                consent_network_at=now if consent_network else None,
                status=status,
                status_changed_at=now,
                registered_date=business_date - dt.timedelta(days=rng.randint(0, 5 * 365)),
                created_by=officer,
            )
        )
        extras.append({"code": code, "trader": rng.random() < 0.88})

    Member.objects.bulk_create(members, batch_size=BATCH)
    if any(m.pk is None for m in members):  # a backend that does not return ids
        by_number = dict(
            Member.objects.filter(number__in=[m.number for m in members]).values_list(
                "number", "pk"
            )
        )
        for m in members:
            m.pk = by_number[m.number]

    MemberNameToken.objects.bulk_create(
        (
            MemberNameToken(member_id=m.pk, token=t[:80])
            for m in members
            for t in name_tokens(m.first_name, m.middle_name, m.last_name)
        ),
        batch_size=BATCH * 2,
    )
    _trader_profiles(ctx, members, extras, posts)
    return members


def _phone(rng, plan, used: set[str]) -> str:
    prefixes = [(plan[i], plan[i + 1]) for i in range(0, len(plan), 2)]
    while True:
        prefix, digits = rng.choice(prefixes)
        # Keep clear of the scenario's +243 97 000 00xx numbers.
        number = f"{prefix}{rng.randint(10 ** (digits - 1), 10**digits - 1)}"
        if number not in used:
            used.add(number)
            return number


def _id_document(rng, origin: str, usual: str, on: dt.date):
    x = rng.random()
    if x < 0.10:
        return IdType.NONE, "", None, None
    if x < 0.18:
        issued = on - dt.timedelta(days=rng.randint(30, 900))
        return (
            IdType.LAISSEZ_PASSER,
            f"LP{rng.randint(100000, 999999)}",
            issued,
            issued + dt.timedelta(days=365),
        )
    if x < 0.23:
        issued = on - dt.timedelta(days=rng.randint(100, 3000))
        return (
            IdType.PASSPORT,
            f"OP{rng.randint(1000000, 9999999)}",
            issued,
            issued + dt.timedelta(days=5 * 365),
        )
    if origin == "CD":
        issued = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
        return usual, f"{rng.randint(10**11, 10**12 - 1)}", issued, None
    issued = on - dt.timedelta(days=rng.randint(100, 5000))
    digits = 16 if origin == "RW" else 10
    return usual, f"{rng.randint(10 ** (digits - 1), 10**digits - 1)}", issued, None


def _trader_profiles(ctx, members, extras, posts) -> None:
    rng = ctx.rng
    profiles: list[TraderProfile] = []
    chosen_posts: list[list[int]] = []
    for member, extra in zip(members, extras, strict=True):
        if not extra["trader"]:
            continue
        currency = rng.choice(["USD", "USD", "CDF", "RWF", "BIF"])
        if currency == "USD":
            minor = rng.randint(15, 120) * 100
        elif currency == "CDF":
            minor = rng.randint(20, 300) * 1000 * 100
        elif currency == "RWF":
            minor = rng.randint(10, 150) * 1000
        else:
            minor = rng.randint(20, 300) * 1000
        profiles.append(
            TraderProfile(
                member_id=member.pk,
                goods_traded=", ".join(rng.sample(GOODS, rng.randint(1, 3))),
                crossings_per_week=rng.choice([3, 5, 6, 7, 10, 12, 14, 18, 21]),
                currencies=list(dict.fromkeys(["USD", currency, rng.choice(["CDF", "RWF"])])),
                daily_turnover_minor=minor,
                daily_turnover_currency=currency,
                savings_group_name="",
                cooperative_name=rng.choice(
                    ["", "", "", "Association des femmes commerçantes de Kadutu", "COFECOT"]
                ),
            )
        )
        names = POSTS_BY_BRANCH.get(extra["code"], list(posts))
        picked = {posts[n].pk for n in rng.sample(names, rng.randint(1, len(names))) if n in posts}
        chosen_posts.append(sorted(picked))
    TraderProfile.objects.bulk_create(profiles, batch_size=BATCH)
    if any(p.pk is None for p in profiles):
        by_member = dict(
            TraderProfile.objects.filter(member_id__in=[p.member_id for p in profiles]).values_list(
                "member_id", "pk"
            )
        )
        for p in profiles:
            p.pk = by_member[p.member_id]
    Through = TraderProfile.border_posts.through
    Through.objects.bulk_create(
        (
            Through(traderprofile_id=p.pk, borderpost_id=post_id)
            for p, ids in zip(profiles, chosen_posts, strict=True)
            for post_id in ids
        ),
        batch_size=BATCH * 2,
    )


def _solidarity_groups(ctx: DemoContext, mass: list[Member]) -> list[SolidarityGroup]:
    """At least ten groups (one for about 40 members), 3 to 10 active or pending
    members of one branch each, nobody in two groups."""
    rng = ctx.rng
    by_branch: dict[int, list[Member]] = defaultdict(list)
    for m in mass:
        if m.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
            by_branch[m.branch_id].append(m)
    for pool in by_branch.values():
        rng.shuffle(pool)
    wanted = max(10, len(mass) // 40)
    groups: list[SolidarityGroup] = []
    plans: list[list[Member]] = []
    branch_ids = sorted(by_branch)
    i = 0
    while len(plans) < wanted and any(len(by_branch[b]) >= 3 for b in branch_ids):
        b = branch_ids[i % len(branch_ids)]
        i += 1
        pool = by_branch[b]
        if len(pool) < 3:
            continue
        size = min(rng.randint(3, 10), len(pool))
        plans.append([pool.pop() for _ in range(size)])
    officer = ctx.users["officer"]
    on = ctx.institution.business_date
    used_names: set[tuple[int, str]] = {(ctx.branches["BKV"].pk, "Umoja Ruzizi")}
    for n, people in enumerate(plans):
        branch_id = people[0].branch_id
        name = GROUP_NAMES[n % len(GROUP_NAMES)]
        if (branch_id, name) in used_names:
            name = f"{name} {n // len(GROUP_NAMES) + 1}"
        while (branch_id, name) in used_names:
            name = f"{name}+"
        used_names.add((branch_id, name))
        groups.append(
            SolidarityGroup(
                branch_id=branch_id,
                name=name,
                joint_liability=True,
                meeting_day=rng.randint(1, 6),
                meeting_place=f"Marché de {people[0].quarter or people[0].town}",
                leader=people[0],
                secretary=people[1],
                formed_date=on - dt.timedelta(days=rng.randint(0, 700)),
                created_by=officer,
            )
        )
    SolidarityGroup.objects.bulk_create(groups, batch_size=BATCH)
    if any(g.pk is None for g in groups):
        raise RuntimeError("the database did not return the ids of the new groups")
    SolidarityGroupMembership.objects.bulk_create(
        (
            SolidarityGroupMembership(group=g, member=m, joined_date=g.formed_date)
            for g, people in zip(groups, plans, strict=True)
            for m in people
        ),
        batch_size=BATCH,
    )
    return groups


def _savings_groups(ctx: DemoContext, mass: list[Member]) -> list[SavingsGroup]:
    """A few AVEC (one for about 150 members), 8 to 25 members each."""
    rng = ctx.rng
    if len(mass) < 20:
        return []
    wanted = max(3, len(mass) // 150)
    pool = [m for m in mass if m.status == MemberStatus.ACTIVE and m.sex == "F"]
    rng.shuffle(pool)
    by_branch: dict[int, list[Member]] = defaultdict(list)
    for m in pool:
        by_branch[m.branch_id].append(m)
    branch_ids = sorted(by_branch)
    on = ctx.institution.business_date
    officer = ctx.users["officer"]
    groups: list[SavingsGroup] = []
    plans: list[list[Member]] = []
    for n in range(wanted):
        b = branch_ids[n % len(branch_ids)]
        people = by_branch[b]
        if len(people) < 8:
            continue
        size = min(rng.randint(8, 25), len(people))
        plans.append([people.pop() for _ in range(size)])
        name = AVEC_NAMES[n % len(AVEC_NAMES)]
        if n >= len(AVEC_NAMES):
            name = f"{name} {n // len(AVEC_NAMES) + 1}"
        groups.append(
            SavingsGroup(
                branch_id=b,
                name=name,
                meeting_day=rng.randint(1, 6),
                meeting_place=f"Église de {people[0].quarter if people else ''}".strip(),
                facilitator=rng.choice(["CARE", "Alert International", "Caritas", ""]),
                formed_date=on - dt.timedelta(days=rng.randint(30, 900)),
                created_by=officer,
            )
        )
    SavingsGroup.objects.bulk_create(groups, batch_size=BATCH)
    roles = ["president", "secretary", "treasurer"]
    SavingsGroupMembership.objects.bulk_create(
        (
            SavingsGroupMembership(
                group=g,
                member=m,
                role=roles[k] if k < len(roles) else "member",
                joined_date=g.formed_date,
            )
            for g, people in zip(groups, plans, strict=True)
            for k, m in enumerate(people)
        ),
        batch_size=BATCH,
    )
    names = {g.pk: g.name for g in groups}
    profiles = {
        p.member_id: p
        for p in TraderProfile.objects.filter(
            member_id__in=[m.pk for people in plans for m in people]
        )
    }
    for g, people in zip(groups, plans, strict=True):
        for m in people:
            if m.pk in profiles:
                profiles[m.pk].savings_group_name = names[g.pk]
    TraderProfile.objects.bulk_update(
        list(profiles.values()), ["savings_group_name"], batch_size=BATCH
    )
    return groups


def _sync_counters() -> None:
    """Each branch's number counter = the highest sequence it has handed out."""
    for branch_id, top in (
        Member.objects.values_list("branch_id").annotate(top=Max("sequence")).order_by()
    ):
        MemberNumberCounter.objects.update_or_create(
            branch_id=branch_id, defaults={"last_value": top}
        )
