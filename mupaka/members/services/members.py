"""Writes about a member: registration, changes, status, consent, trader profile."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.models import Branch, User
from mupaka.core.money import Money, UnknownCurrency, is_known_currency
from mupaka.core.permissions import require_branch, require_perm
from mupaka.core.selectors import business_date_get
from mupaka.members.domain import lifecycle
from mupaka.members.domain.numbers import member_number_format
from mupaka.members.domain.phones import InvalidPhone, phone_normalize
from mupaka.members.domain.text import id_number_normalize, name_tokens, search_text
from mupaka.members.models import (
    BorderPost,
    IdType,
    Member,
    MemberNameToken,
    MemberNumberCounter,
    MemberStatus,
    Sex,
    SolidarityGroupMembership,
    TraderProfile,
)
from mupaka.members.selectors import DuplicateMatch, member_duplicates_find
from mupaka.members.services.activation import activation_problem

MEMBER_AUDIT_FIELDS = [
    "number",
    "branch_id",
    "first_name",
    "middle_name",
    "last_name",
    "sex",
    "birth_date",
    "phone",
    "phone_secondary",
    "language",
    "languages",
    "province",
    "town",
    "quarter",
    "id_type",
    "id_number",
    "id_issue_date",
    "id_expiry_date",
    "photo",
    "next_of_kin_name",
    "next_of_kin_relation",
    "next_of_kin_phone",
    "consent_sms",
    "consent_sms_at",
    "consent_network",
    "consent_network_at",
    "status",
    "registered_date",
    "duplicate_reason",
]

# What member_update may change (status and consent have their own services,
# the number and branch never change).
MEMBER_EDITABLE = frozenset(
    {
        "first_name",
        "middle_name",
        "last_name",
        "sex",
        "birth_date",
        "phone",
        "phone_secondary",
        "language",
        "languages",
        "province",
        "town",
        "quarter",
        "id_type",
        "id_number",
        "id_issue_date",
        "id_expiry_date",
        "photo",
        "next_of_kin_name",
        "next_of_kin_relation",
        "next_of_kin_phone",
    }
)
DUPLICATE_SENSITIVE = frozenset(
    {"first_name", "last_name", "birth_date", "phone", "phone_secondary", "id_type", "id_number"}
)
MAX_AGE_YEARS = 120
MAX_PHOTO_BYTES = 3 * 1024 * 1024
MAX_CROSSINGS_PER_WEEK = 70


class DuplicateMembers(Conflict):
    """Possible duplicates were found and no reason was given to go on."""

    default_code = "possible_duplicate"

    def __init__(self, matches: Sequence[DuplicateMatch]) -> None:
        message = _(
            "This person may already be registered (%(matches)s). Check the matches; "
            "to register her anyway, give a reason."
        ) % {
            "matches": "; ".join(
                f"{m.number} {m.full_name}: {', '.join(m.reason_labels)}" for m in matches
            )
        }
        super().__init__(message, errors={"duplicate_reason": [message]})
        self.matches = list(matches)

    def as_dict(self) -> dict:
        body = super().as_dict()
        body["matches"] = [m.as_dict() for m in self.matches]
        return body


# Later apps (savings, loans) register checks that refuse an exit while the
# member has an open account or a loan: fn(member) -> message or None.
ExitCheck = Callable[[Member], "str | None"]
_EXIT_CHECKS: list[ExitCheck] = []


def register_exit_check(check: ExitCheck) -> None:
    if check not in _EXIT_CHECKS:
        _EXIT_CHECKS.append(check)


@dataclass(frozen=True)
class TraderProfileData:
    border_post_ids: Sequence[int] = ()
    goods_traded: str = ""
    crossings_per_week: int | None = None
    currencies: Sequence[str] = ()
    daily_turnover: Decimal | str | None = None
    daily_turnover_currency: str = ""
    savings_group_name: str = ""
    cooperative_name: str = ""


# --- validation ---------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            first = next(iter(self.errors.values()))[0]
            if len(self.errors) > 1:
                first = _("Some fields are not valid: %(fields)s.") % {
                    "fields": ", ".join(self.errors)
                }
            raise ValidationFailed(first, errors=self.errors)


def _clean_text(value: Any, max_length: int) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()[:max_length]


def _phone(errors: _Errors, field_name: str, raw: Any, region: str, required: bool) -> str:
    text = str(raw or "").strip()
    if not text:
        if required:
            errors.add(field_name, _("A phone number is required."))
        return ""
    try:
        return phone_normalize(text, region=region)
    except InvalidPhone:
        errors.add(
            field_name,
            _(
                "“%(value)s” is not a valid phone number. Write it with the country code "
                "(+243 97 000 0001) or as a local number of the branch's country."
            )
            % {"value": text[:30]},
        )
        return ""


def _date(errors: _Errors, field_name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errors.add(field_name, _("Enter a valid date."))
        return None
    return value


def _clean_member(values: dict[str, Any], *, region: str, on_date: dt.date) -> dict[str, Any]:
    """Check and normalize every member field at once; raise one ValidationFailed
    that lists the problems field by field."""
    e = _Errors()
    out: dict[str, Any] = {}
    for name, max_length in (("first_name", 80), ("middle_name", 80), ("last_name", 80)):
        text = _clean_text(values.get(name), max_length)
        if name != "middle_name" and not text:
            e.add(name, _("This field is required."))
        elif text and not any(c.isalpha() for c in text):
            e.add(name, _("A name must contain letters."))
        out[name] = text
    sex = values.get("sex") or ""
    if sex not in Sex.values:
        e.add("sex", _("Choose female or male."))
    out["sex"] = sex

    birth = _date(e, "birth_date", values.get("birth_date"))
    if birth is None and "birth_date" not in e.errors:
        e.add("birth_date", _("The birth date is required."))
    elif birth is not None:
        if birth > on_date:
            e.add("birth_date", _("The birth date cannot be in the future."))
        elif birth.year < on_date.year - MAX_AGE_YEARS:
            e.add(
                "birth_date",
                _("A birth date more than %(n)d years ago is not plausible.")
                % {"n": MAX_AGE_YEARS},
            )
    out["birth_date"] = birth

    out["phone"] = _phone(e, "phone", values.get("phone"), region, required=True)
    out["phone_secondary"] = _phone(
        e, "phone_secondary", values.get("phone_secondary"), region, required=False
    )
    if out["phone"] and out["phone"] == out["phone_secondary"]:
        out["phone_secondary"] = ""

    codes = [c for c, _label in settings.MEMBER_LANGUAGES]
    language = values.get("language") or "fr"
    if language not in codes:
        e.add("language", _("Unknown language: %(code)s.") % {"code": language})
    raw_languages = values.get("languages") or []
    if isinstance(raw_languages, str):
        raw_languages = [c.strip() for c in raw_languages.split(",") if c.strip()]
    languages: list[str] = []
    for code in [language, *raw_languages]:
        if code not in codes:
            if code != language:
                e.add("languages", _("Unknown language: %(code)s.") % {"code": code})
        elif code not in languages:
            languages.append(code)
    out["language"], out["languages"] = language, languages

    out["province"] = _clean_text(values.get("province"), 80)
    out["town"] = _clean_text(values.get("town"), 80)
    out["quarter"] = _clean_text(values.get("quarter"), 120)

    id_type = values.get("id_type") or IdType.NONE
    if id_type not in IdType.values:
        e.add("id_type", _("Unknown identity document type."))
    id_number = id_number_normalize(values.get("id_number") or "")[:40]
    issued = _date(e, "id_issue_date", values.get("id_issue_date"))
    expiry = _date(e, "id_expiry_date", values.get("id_expiry_date"))
    if id_type == IdType.NONE:
        id_number, issued, expiry = "", None, None
    else:
        if not id_number:
            e.add("id_number", _("Give the number of the identity document."))
        if issued and issued > on_date:
            e.add("id_issue_date", _("The issue date cannot be in the future."))
        if issued and expiry and expiry < issued:
            e.add("id_expiry_date", _("The expiry date cannot be before the issue date."))
        if issued and birth and issued < birth:
            e.add("id_issue_date", _("The document cannot be issued before the birth date."))
    out.update(id_type=id_type, id_number=id_number, id_issue_date=issued, id_expiry_date=expiry)

    photo = values.get("photo")
    if photo and hasattr(photo, "size") and photo.size > MAX_PHOTO_BYTES:
        e.add("photo", _("The photo is too large (3 MB at most)."))
    out["photo"] = photo

    out["next_of_kin_name"] = _clean_text(values.get("next_of_kin_name"), 160)
    out["next_of_kin_relation"] = _clean_text(values.get("next_of_kin_relation"), 60)
    out["next_of_kin_phone"] = _phone(
        e, "next_of_kin_phone", values.get("next_of_kin_phone"), region, required=False
    )
    e.raise_if_any()
    return out


def _check_duplicates(
    cleaned: dict[str, Any], *, exclude_id: int | None, duplicate_reason: str
) -> list[DuplicateMatch]:
    matches = member_duplicates_find(
        phones=[cleaned["phone"], cleaned["phone_secondary"]],
        id_type=cleaned["id_type"],
        id_number=cleaned["id_number"],
        first_name=cleaned["first_name"],
        last_name=cleaned["last_name"],
        birth_date=cleaned["birth_date"],
        exclude_id=exclude_id,
    )
    if matches and not duplicate_reason.strip():
        raise DuplicateMembers(matches)
    return matches


def _next_sequence(branch: Branch) -> int:
    """Take the branch's next member sequence. The counter row is locked until the
    transaction ends, so concurrent registrations queue (PostgreSQL row lock;
    SQLite's write lock is taken at BEGIN IMMEDIATE)."""
    counter = MemberNumberCounter.objects.select_for_update().filter(branch=branch).first()
    if counter is None:
        try:
            with transaction.atomic():
                MemberNumberCounter.objects.create(branch=branch, last_value=0)
        except IntegrityError:
            pass  # another registration created it first
        counter = MemberNumberCounter.objects.select_for_update().get(branch=branch)
    MemberNumberCounter.objects.filter(branch=branch).update(last_value=F("last_value") + 1)
    counter.refresh_from_db(fields=["last_value"])
    return counter.last_value


def _write_tokens(member: Member) -> None:
    MemberNameToken.objects.filter(member=member).delete()
    MemberNameToken.objects.bulk_create(
        MemberNameToken(member=member, token=t[:80])
        for t in name_tokens(member.first_name, member.middle_name, member.last_name)
    )


def _profile_snapshot(profile: TraderProfile | None) -> dict | None:
    if profile is None:
        return None
    data = snapshot(
        profile,
        [
            "goods_traded",
            "crossings_per_week",
            "currencies",
            "daily_turnover_minor",
            "daily_turnover_currency",
            "savings_group_name",
            "cooperative_name",
        ],
    )
    data["border_post_ids"] = sorted(profile.border_posts.values_list("pk", flat=True))
    return data


def _member_snapshot(member: Member) -> dict:
    # The photo is recorded by its file name (core's snapshot trips on an empty
    # file field, whose .url raises ValueError).
    data = snapshot(member, [f for f in MEMBER_AUDIT_FIELDS if f != "photo"])
    data["photo"] = member.photo.name or None
    return data


# --- registration and changes -------------------------------------------------


@transaction.atomic
def member_register(
    *,
    actor: User,
    branch: Branch,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: dt.date | None,
    phone: str,
    middle_name: str = "",
    phone_secondary: str = "",
    language: str = "fr",
    languages: Iterable[str] = (),
    province: str = "",
    town: str = "",
    quarter: str = "",
    id_type: str = IdType.NONE,
    id_number: str = "",
    id_issue_date: dt.date | None = None,
    id_expiry_date: dt.date | None = None,
    photo=None,
    next_of_kin_name: str = "",
    next_of_kin_relation: str = "",
    next_of_kin_phone: str = "",
    consent_sms: bool = False,
    consent_network: bool = False,
    trader_profile: TraderProfileData | None = None,
    duplicate_reason: str = "",
) -> Member:
    """Register a person as a (pending) member of ``branch`` and give her the
    branch's next member number. Refuses with :class:`DuplicateMembers` (409)
    when she may already be registered, unless ``duplicate_reason`` says why the
    officer goes on; the reason is kept on the member and in the audit row."""
    require_perm(actor, "member.create")
    if branch is None:
        raise ValidationFailed(_("Choose the member's branch."), field="branch")
    require_branch(actor, branch.pk)
    on_date = business_date_get()
    cleaned = _clean_member(
        {
            "first_name": first_name,
            "middle_name": middle_name,
            "last_name": last_name,
            "sex": sex,
            "birth_date": birth_date,
            "phone": phone,
            "phone_secondary": phone_secondary,
            "language": language,
            "languages": list(languages),
            "province": province,
            "town": town,
            "quarter": quarter,
            "id_type": id_type,
            "id_number": id_number,
            "id_issue_date": id_issue_date,
            "id_expiry_date": id_expiry_date,
            "photo": photo,
            "next_of_kin_name": next_of_kin_name,
            "next_of_kin_relation": next_of_kin_relation,
            "next_of_kin_phone": next_of_kin_phone,
        },
        region=branch.country,
        on_date=on_date,
    )
    profile_values = _clean_trader_profile(trader_profile) if trader_profile is not None else None
    reason = _clean_text(duplicate_reason, 500)
    matches = _check_duplicates(cleaned, exclude_id=None, duplicate_reason=reason)

    now = timezone.now()
    sequence = _next_sequence(branch)
    member = Member(
        branch=branch,
        sequence=sequence,
        number=member_number_format(branch.code, sequence),
        search_name=search_text(
            cleaned["first_name"], cleaned["middle_name"], cleaned["last_name"]
        ),
        consent_sms=bool(consent_sms),
        consent_sms_at=now if consent_sms else None,
        consent_network=bool(consent_network),
        consent_network_at=now if consent_network else None,
        status=MemberStatus.PENDING,
        status_changed_at=now,
        registered_date=on_date,
        duplicate_reason=reason if matches else "",
        created_by=actor,
        **{k: v for k, v in cleaned.items() if k != "photo"},
    )
    if cleaned["photo"]:
        member.photo = cleaned["photo"]
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise Conflict(
            _(
                "The member number %(number)s is already in use: the branch's number "
                "counter is behind. Nothing was saved; ask an administrator to check it."
            )
            % {"number": member.number},
            code="member_number_taken",
            field="number",
        )
    _write_tokens(member)
    profile = None
    if profile_values is not None:
        profile = _trader_profile_save(member, profile_values)
    after = _member_snapshot(member)
    after["trader_profile"] = _profile_snapshot(profile)
    if matches:
        after["possible_duplicates"] = [m.number for m in matches]
    audit_record(
        actor=actor,
        action="member.create",
        obj=member,
        after=after,
        reason=member.duplicate_reason,
    )
    return member


@transaction.atomic
def member_update(
    *, actor: User, member: Member, duplicate_reason: str = "", **changes: Any
) -> Member:
    """Change a member's details (not her number, branch, status or consent).
    Re-checks duplicates when a phone, the ID document, a name or the birth date
    changes."""
    require_perm(actor, "member.update")
    unknown = sorted(set(changes) - MEMBER_EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            errors={f: [_("This field cannot be changed here.")] for f in unknown},
        )
    member = (
        Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
    )
    require_branch(actor, member.branch_id)
    if member.status == MemberStatus.EXITED:
        raise ValidationFailed(_("An exited member's record can no longer be changed."))
    before = _member_snapshot(member)
    current = {name: getattr(member, name) for name in MEMBER_EDITABLE if name != "photo"}
    current["photo"] = None
    current.update(changes)
    cleaned = _clean_member(current, region=member.branch.country, on_date=business_date_get())
    changed = {k for k, v in cleaned.items() if k != "photo" and getattr(member, k) != v}
    reason = _clean_text(duplicate_reason, 500)
    matches: list[DuplicateMatch] = []
    if changed & DUPLICATE_SENSITIVE:
        matches = _check_duplicates(cleaned, exclude_id=member.pk, duplicate_reason=reason)
    for k in changed:
        setattr(member, k, cleaned[k])
    if "photo" in changes:
        if changes["photo"]:
            member.photo = cleaned["photo"]
        else:
            member.photo = ""
    if matches:
        member.duplicate_reason = reason
    member.search_name = search_text(member.first_name, member.middle_name, member.last_name)
    member.save()
    if changed & {"first_name", "middle_name", "last_name"}:
        _write_tokens(member)
    after = _member_snapshot(member)
    if matches:
        after["possible_duplicates"] = [m.number for m in matches]
    audit_record(
        actor=actor,
        action="member.update",
        obj=member,
        before=before,
        after=after,
        reason=reason if matches else "",
    )
    return member


@transaction.atomic
def member_status_change(*, actor: User, member: Member, status: str, reason: str = "") -> Member:
    """Move a member along pending → active → inactive → exited (see domain/lifecycle.py).
    Activation of a pending member is also open to tellers (entry fee paid at the
    counter); the other moves belong to officers and managers. A pending member becomes
    active only once the registered activation checks pass (services/activation.py:
    her entry fee and minimum member shares paid), whoever asks."""
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if member.status == MemberStatus.PENDING and status == MemberStatus.ACTIVE:
        require_perm(actor, "member.activate")
    else:
        require_perm(actor, "member.status_change")
    require_branch(actor, member.branch_id)
    if status not in MemberStatus.values:
        raise ValidationFailed(_("Unknown status."), field="status")
    if not lifecycle.transition_allowed(member.status, status):
        raise ValidationFailed(
            _("A member cannot go from “%(old)s” to “%(new)s”.")
            % {"old": MemberStatus(member.status).label, "new": MemberStatus(status).label},
            field="status",
            code="transition_refused",
        )
    reason = _clean_text(reason, 500)
    if status in lifecycle.REASON_REQUIRED and not reason:
        raise ValidationFailed(_("Give the reason for this change."), field="reason")
    if member.status == MemberStatus.PENDING and status == MemberStatus.ACTIVE:
        problem = activation_problem(member)
        if problem:
            raise ValidationFailed(problem, field="status", code="joining_not_paid")
    if status == MemberStatus.EXITED:
        membership = (
            SolidarityGroupMembership.objects.select_related("group")
            .filter(member=member, left_date__isnull=True)
            .first()
        )
        if membership is not None:
            raise ValidationFailed(
                _("Remove her from the solidarity group “%(group)s” first.")
                % {"group": membership.group.name},
                field="status",
            )
        for check in _EXIT_CHECKS:
            problem = check(member)
            if problem:
                raise ValidationFailed(problem, field="status")
    before = {"status": member.status}
    member.status = status
    member.status_changed_at = timezone.now()
    member.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="member.status_change",
        obj=member,
        before=before,
        after={"status": status},
        reason=reason,
    )
    return member


@transaction.atomic
def member_consent_set(
    *, actor: User, member: Member, sms: bool | None = None, network: bool | None = None
) -> Member:
    """Record that the member gives (or withdraws) her consent to SMS messages and to
    sharing her data with the network; each change is dated."""
    require_perm(actor, "member.consent")
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    require_branch(actor, member.branch_id)
    fields = ["consent_sms", "consent_sms_at", "consent_network", "consent_network_at"]
    before = snapshot(member, fields)
    now = timezone.now()
    if sms is not None and bool(sms) != member.consent_sms:
        member.consent_sms, member.consent_sms_at = bool(sms), now
    if network is not None and bool(network) != member.consent_network:
        member.consent_network, member.consent_network_at = bool(network), now
    after = snapshot(member, fields)
    if after == before:
        return member
    member.save(update_fields=[*fields, "updated_at"])
    audit_record(actor=actor, action="member.consent_set", obj=member, before=before, after=after)
    return member


# --- trader profile -----------------------------------------------------------


def _clean_trader_profile(data: TraderProfileData) -> dict[str, Any]:
    e = _Errors()
    ids = []
    for raw in data.border_post_ids or ():
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            e.add("border_posts", _("Unknown border post."))
    posts = list(BorderPost.objects.filter(pk__in=ids))
    if len({p.pk for p in posts}) != len(set(ids)):
        e.add("border_posts", _("Unknown border post."))
    crossings = data.crossings_per_week
    if crossings in ("", None):
        crossings = None
    else:
        try:
            crossings = int(crossings)
        except (TypeError, ValueError):
            crossings = -1
        if not 0 <= crossings <= MAX_CROSSINGS_PER_WEEK:
            e.add(
                "crossings_per_week",
                _("Crossings per week must be between 0 and %(n)d.")
                % {"n": MAX_CROSSINGS_PER_WEEK},
            )
    currencies: list[str] = []
    for code in data.currencies or ():
        code = str(code).strip().upper()
        if not is_known_currency(code):
            e.add("currencies", _("Unknown currency code: %(code)s.") % {"code": code[:5]})
        elif code not in currencies:
            currencies.append(code)
    turnover_minor, turnover_currency = None, ""
    if data.daily_turnover not in (None, ""):
        turnover_currency = (data.daily_turnover_currency or "").strip().upper()
        try:
            money = Money.of(str(data.daily_turnover).strip().replace(" ", ""), turnover_currency)
            if money.is_negative:
                e.add("daily_turnover", _("The turnover cannot be negative."))
            elif not money.is_exact:
                e.add(
                    "daily_turnover",
                    _("Too many decimals for %(currency)s.") % {"currency": turnover_currency},
                )
            else:
                turnover_minor = money.minor
        except UnknownCurrency:
            e.add("daily_turnover_currency", _("Choose the currency of the turnover."))
        except (ValueError, TypeError, ArithmeticError):
            e.add("daily_turnover", _("Enter an amount, e.g. 85.50."))
    e.raise_if_any()
    return {
        "posts": posts,
        "goods_traded": _clean_text(data.goods_traded, 300),
        "crossings_per_week": crossings,
        "currencies": currencies,
        "daily_turnover_minor": turnover_minor,
        "daily_turnover_currency": turnover_currency if turnover_minor is not None else "",
        "savings_group_name": _clean_text(data.savings_group_name, 160),
        "cooperative_name": _clean_text(data.cooperative_name, 160),
    }


def _trader_profile_save(member: Member, values: dict[str, Any]) -> TraderProfile:
    profile = TraderProfile.objects.filter(member=member).first() or TraderProfile(member=member)
    for k, v in values.items():
        if k != "posts":
            setattr(profile, k, v)
    profile.save()
    profile.border_posts.set(values["posts"])
    return profile


@transaction.atomic
def trader_profile_set(*, actor: User, member: Member, data: TraderProfileData) -> TraderProfile:
    """Create or replace the member's trader profile."""
    require_perm(actor, "member.update")
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    require_branch(actor, member.branch_id)
    if member.status == MemberStatus.EXITED:
        raise ValidationFailed(_("An exited member's record can no longer be changed."))
    existing = TraderProfile.objects.filter(member=member).first()
    before = _profile_snapshot(existing)
    values = _clean_trader_profile(data)
    profile = _trader_profile_save(member, values)
    audit_record(
        actor=actor,
        action="member.trader_profile_set",
        obj=member,
        before=before,
        after=_profile_snapshot(profile),
    )
    return profile


@transaction.atomic
def member_change(
    *,
    actor: User,
    member: Member,
    changes: dict[str, Any] | None = None,
    trader_profile: TraderProfileData | None = None,
    consent_sms: bool | None = None,
    consent_network: bool | None = None,
    status: str | None = None,
    status_reason: str = "",
    duplicate_reason: str = "",
) -> Member:
    """Several changes to one member at once (the API's PATCH): details, trader
    profile, consent and status, all or nothing. Each part checks its own
    permission and writes its own audit row."""
    if changes:
        member = member_update(
            actor=actor, member=member, duplicate_reason=duplicate_reason, **changes
        )
    if trader_profile is not None:
        trader_profile_set(actor=actor, member=member, data=trader_profile)
    if consent_sms is not None or consent_network is not None:
        member = member_consent_set(
            actor=actor, member=member, sms=consent_sms, network=consent_network
        )
    if status is not None and status != member.status:
        member = member_status_change(
            actor=actor, member=member, status=status, reason=status_reason
        )
    return Member.objects.select_related("branch").get(pk=member.pk)
