"""The list of border posts, kept by an administrator."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.models import User
from mupaka.core.permissions import require_perm
from mupaka.members.models import BorderCountry, BorderPost

FIELDS = ["name", "country", "other_country", "town", "is_active"]


def _clean(
    *, name: str, country: str, other_country: str, town: str, exclude_id: int | None
) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())[:120]
    if not name:
        errors["name"] = [_("The border post needs a name.")]
    elif BorderPost.objects.filter(name__iexact=name).exclude(pk=exclude_id).exists():
        errors["name"] = [_("A border post with this name already exists.")]
    if country not in BorderCountry.values:
        errors["country"] = [_("Choose a country.")]
    if other_country not in BorderCountry.values:
        errors["other_country"] = [_("Choose a country.")]
    elif country == other_country:
        errors["other_country"] = [_("A border post joins two different countries.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    return {
        "name": name,
        "country": country,
        "other_country": other_country,
        "town": " ".join((town or "").split())[:120],
    }


@transaction.atomic
def border_post_create(
    *, actor: User, name: str, country: str, other_country: str, town: str = ""
) -> BorderPost:
    require_perm(actor, "border_post.manage")
    values = _clean(
        name=name, country=country, other_country=other_country, town=town, exclude_id=None
    )
    post = BorderPost.objects.create(**values)
    audit_record(actor=actor, action="border_post.create", obj=post, after=snapshot(post, FIELDS))
    return post


@transaction.atomic
def border_post_update(
    *,
    actor: User,
    post: BorderPost,
    name: str,
    country: str,
    other_country: str,
    town: str = "",
    is_active: bool = True,
) -> BorderPost:
    """Change a border post; one no longer used is set inactive (never deleted:
    trader profiles keep pointing at it)."""
    require_perm(actor, "border_post.manage")
    post = BorderPost.objects.select_for_update().get(pk=post.pk)
    before = snapshot(post, FIELDS)
    values = _clean(
        name=name, country=country, other_country=other_country, town=town, exclude_id=post.pk
    )
    for k, v in values.items():
        setattr(post, k, v)
    post.is_active = bool(is_active)
    post.save()
    audit_record(
        actor=actor,
        action="border_post.update",
        obj=post,
        before=before,
        after=snapshot(post, FIELDS),
    )
    return post
