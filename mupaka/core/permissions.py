"""Who may do what. Each app declares its permissions in its own ``permissions.py``
(found at start-up) with :func:`register`; services and views check them with
:func:`require_perm`, so hiding a menu entry is never the only guard."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mupaka.core.exceptions import PermissionDenied
from mupaka.core.roles import ALL_ROLES, Role

_PERMISSIONS: dict[str, frozenset[str]] = {}


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    perm: str
    order: int = 100


_MENU: list[MenuItem] = []


def register(perms: Mapping[str, Iterable[str]]) -> None:
    for name, roles in perms.items():
        _PERMISSIONS[name] = frozenset(str(r) for r in roles)


def register_menu(*items: MenuItem) -> None:
    for item in items:
        if item not in _MENU:
            _MENU.append(item)


# Menu sections, by the URL namespace of the entries (an app's own entries stay together).
SECTIONS: list[tuple[str, object]] = []


def _sections() -> list[tuple[str, object]]:
    if not SECTIONS:
        from django.utils.translation import gettext_lazy

        SECTIONS.extend(
            [
                ("tellers", gettext_lazy("Counter")),
                ("members", gettext_lazy("Members")),
                ("loans", gettext_lazy("Loans")),
                ("savings", gettext_lazy("Savings and shares")),
                ("shares", gettext_lazy("Savings and shares")),
                ("ledger", gettext_lazy("Accounting")),
                ("reports", gettext_lazy("Reports")),
                ("cob", gettext_lazy("End of day")),
                ("core", gettext_lazy("Administration")),
            ]
        )
    return SECTIONS


def menu_for(user) -> list[dict]:
    """The menu entries the user may open, with their URLs. An entry whose URL does not
    resolve is left out here (a test checks that every registered entry resolves)."""
    from django.urls import NoReverseMatch, reverse

    entries = []
    for item in sorted(_MENU, key=lambda m: m.order):
        if not has_perm(user, item.perm):
            continue
        try:
            entries.append(
                {
                    "label": item.label,
                    "url": reverse(item.url_name),
                    "namespace": item.url_name.partition(":")[0],
                }
            )
        except NoReverseMatch:
            continue
    return entries


def menu_sections(entries: list[dict]) -> list[dict]:
    """The entries grouped into the menu's sections, in a fixed order; an entry of an
    app without a section goes into a section of its own after the others."""
    order = _sections()
    labels = {ns: str(label) for ns, label in order}
    sections: dict[str, dict] = {}
    for _ns, label in order:
        sections.setdefault(str(label), {"label": str(label), "items": []})
    for entry in entries:
        label = labels.get(entry["namespace"], entry["namespace"].capitalize())
        sections.setdefault(label, {"label": label, "items": []})["items"].append(entry)
    return [s for s in sections.values() if s["items"]]


def menu_items() -> list[MenuItem]:
    return list(_MENU)


def roles_for(perm: str) -> frozenset[str]:
    try:
        return _PERMISSIONS[perm]
    except KeyError:
        raise KeyError(f"unknown permission {perm!r}: declare it in an app's permissions.py")


def has_perm(user, perm: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in roles_for(perm)


def require_perm(user, perm: str) -> None:
    if not has_perm(user, perm):
        names = ", ".join(str(Role(r).label) for r in sorted(roles_for(perm)))
        raise PermissionDenied(
            _("Your role does not allow this action. It is reserved to: %(roles)s.")
            % {"roles": names}
        )


def branch_scope(user, qs: QuerySet, field: str = "branch") -> QuerySet:
    """Limit a queryset to what the user may see: her branch, or all."""
    if user.sees_all_branches:
        return qs
    if user.branch_id is None:
        return qs.none()
    return qs.filter(**{f"{field}_id": user.branch_id})


def require_branch(user, branch_id: int | None) -> None:
    if user.sees_all_branches or branch_id is None or branch_id == user.branch_id:
        return
    raise PermissionDenied(_("This record belongs to another branch."))


EVERYONE = ALL_ROLES


# --- the core's own permissions -------------------------------------------
R = Role
register(
    {
        "institution.view": EVERYONE,
        "institution.manage": {R.ADMIN},
        "staff.manage": {R.ADMIN},
        "audit.view": {R.AUDITOR, R.ADMIN, R.MANAGER},
    }
)

from django.utils.translation import gettext_lazy  # noqa: E402

register_menu(
    MenuItem(gettext_lazy("Audit log"), "core:audit", "audit.view", 900),
    MenuItem(gettext_lazy("Staff"), "core:staff_list", "staff.manage", 910),
    MenuItem(gettext_lazy("Institution"), "core:institution", "institution.manage", 920),
)
