"""Writes of the core: institution settings, branches, staff, tokens, business date."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.models import Branch, Institution, User
from mupaka.core.permissions import require_perm
from mupaka.core.roles import ALL_BRANCH_ROLES, Role

STAFF_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "branch_id",
    "all_branches",
    "phone",
    "language",
    "is_active",
]
INSTITUTION_FIELDS = [
    "name",
    "short_name",
    "country",
    "base_currency",
    "accepted_currencies",
    "regulatory_preset",
    "weekend_days",
]


def _check_currencies(base: str, accepted: list[str]) -> None:
    from babel.numbers import get_currency_name

    for code in [base, *accepted]:
        if len(code) != 3 or not code.isalpha() or get_currency_name(code, locale="en") == code:
            raise ValidationFailed(
                _("Unknown currency code: %(code)s.") % {"code": code}, field="accepted_currencies"
            )
    if base not in accepted:
        raise ValidationFailed(
            _("The base currency must be one of the accepted currencies."), field="base_currency"
        )


@transaction.atomic
def institution_update(*, actor: User, **fields) -> Institution:
    require_perm(actor, "institution.manage")
    inst = Institution.objects.select_for_update().order_by("id").first()
    before = snapshot(inst, INSTITUTION_FIELDS)
    for name, value in fields.items():
        if name not in INSTITUTION_FIELDS:
            raise ValidationFailed(_("Unknown setting: %(name)s.") % {"name": name}, field=name)
        setattr(inst, name, value)
    inst.accepted_currencies = [c.upper() for c in inst.accepted_currencies]
    inst.base_currency = inst.base_currency.upper()
    _check_currencies(inst.base_currency, inst.accepted_currencies)
    inst.save()
    audit_record(
        actor=actor,
        action="institution.update",
        obj=inst,
        before=before,
        after=snapshot(inst, INSTITUTION_FIELDS),
    )
    return inst


@transaction.atomic
def branch_create(
    *, actor: User, code: str, name: str, town: str = "", country: str = ""
) -> Branch:
    require_perm(actor, "institution.manage")
    inst = Institution.objects.order_by("id").first()
    code = code.strip().upper()
    if not code.isalnum() or not 2 <= len(code) <= 6:
        raise ValidationFailed(_("A branch code has 2 to 6 letters or digits."), field="code")
    if Branch.objects.filter(code=code).exists():
        raise ValidationFailed(_("A branch with this code already exists."), field="code")
    branch = Branch.objects.create(
        institution=inst, code=code, name=name.strip(), town=town, country=country or inst.country
    )
    audit_record(actor=actor, action="branch.create", obj=branch, after=snapshot(branch))
    return branch


def _validate_staff(*, role: str, branch: Branch | None, all_branches: bool) -> None:
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), field="role")
    if branch is None and not (all_branches or role in ALL_BRANCH_ROLES):
        raise ValidationFailed(_("Staff of this role must belong to a branch."), field="branch")


@transaction.atomic
def staff_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    branch: Branch | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    all_branches: bool = False,
    language: str = "fr",
) -> User:
    require_perm(actor, "staff.manage")
    username = username.strip()
    if not username:
        raise ValidationFailed(_("A username is required."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(_("This username is already taken."), field="username")
    _validate_staff(role=role, branch=branch, all_branches=all_branches)
    user = User(
        username=username,
        role=role,
        branch=branch,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        all_branches=all_branches,
        language=language,
    )
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password")
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="staff.create", obj=user, after=snapshot(user, STAFF_FIELDS))
    return user


@transaction.atomic
def staff_update(*, actor: User, user: User, **fields) -> User:
    require_perm(actor, "staff.manage")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, STAFF_FIELDS)
    for name, value in fields.items():
        if name not in {
            "first_name",
            "last_name",
            "email",
            "role",
            "branch",
            "all_branches",
            "phone",
            "language",
            "is_active",
        }:
            raise ValidationFailed(
                _("This field cannot be changed here: %(name)s.") % {"name": name}, field=name
            )
        setattr(user, name, value)
    _validate_staff(role=user.role, branch=user.branch, all_branches=user.all_branches)
    if user.pk == actor.pk and (not user.is_active or user.role != actor.role):
        raise ValidationFailed(_("You cannot deactivate yourself or change your own role."))
    user.save()
    audit_record(
        actor=actor,
        action="staff.update",
        obj=user,
        before=before,
        after=snapshot(user, STAFF_FIELDS),
    )
    return user


@transaction.atomic
def staff_token_create(*, actor: User | None, user: User) -> Token:
    """A new API token for ``user`` (the old one stops working)."""
    if actor is not None and actor.pk != user.pk:
        require_perm(actor, "staff.manage")
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_record(
        actor=actor,
        action="staff.token_create",
        obj=user,
        object_repr=str(user),
        after={"token_prefix": token.key[:6]},
    )
    return token


@transaction.atomic
def business_date_set(*, actor: User | None, new_date: dt.date) -> Institution:
    """Set the business date by hand (new institution or demo). End of day moves it otherwise."""
    if actor is not None:
        require_perm(actor, "institution.manage")
    inst = Institution.objects.select_for_update().order_by("id").first()
    if inst is None:
        raise ValidationFailed(_("No institution is set up yet."))
    before = {"business_date": inst.business_date}
    inst.business_date = new_date
    inst.save(update_fields=["business_date", "updated_at"])
    audit_record(
        actor=actor,
        action="institution.business_date_set",
        obj=inst,
        before=before,
        after={"business_date": new_date},
    )
    return inst
