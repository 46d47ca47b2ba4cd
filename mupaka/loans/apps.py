from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "mupaka.loans"
    label = "loans"

    def ready(self) -> None:
        from mupaka.members.services import register_dissolve_check, register_exit_check

        register_exit_check(_no_open_loan)
        register_dissolve_check(_no_open_group_loan)


def _no_open_loan(member) -> str | None:
    from django.utils.translation import gettext as _

    from mupaka.core.money_format import format_money
    from mupaka.loans.models import OPEN_STATUSES, Loan
    from mupaka.loans.selectors import unrecovered_write_off

    loan = Loan.objects.filter(member=member, status__in=OPEN_STATUSES).order_by("pk").first()
    if loan is not None:
        return _("She still has loan %(number)s (%(status)s): it must be closed first.") % {
            "number": loan.number,
            "status": loan.get_status_display().lower(),
        }
    owed = unrecovered_write_off(member)
    if owed is not None:
        return _(
            "She still owes %(amount)s on loan %(number)s, written off: it must be recovered "
            "first."
        ) % {"amount": format_money(owed[1]), "number": owed[0].number}
    return None


def _no_open_group_loan(group) -> str | None:
    """A solidarity group is not dissolved while a group loan of hers is open (filed,
    approved or still being repaid; a withdrawn one is not): the members answer for it
    together."""
    from django.utils.translation import gettext as _

    from mupaka.loans.selectors import group_open_loan

    group_loan = group_open_loan(group)
    if group_loan is None:
        return None
    return _(
        "The group still has group loan %(number)s (%(status)s): it must be repaid and "
        "closed, rejected or withdrawn before the group is dissolved."
    ) % {"number": group_loan.number, "status": group_loan.get_status_display().lower()}
