from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "mupaka.loans"
    label = "loans"

    def ready(self) -> None:
        from mupaka.members.services import register_exit_check

        register_exit_check(_no_open_loan)


def _no_open_loan(member) -> str | None:
    from django.utils.translation import gettext as _

    from mupaka.loans.models import OPEN_STATUSES, Loan

    loan = Loan.objects.filter(member=member, status__in=OPEN_STATUSES).order_by("pk").first()
    if loan is None:
        return None
    return _("She still has loan %(number)s (%(status)s): it must be closed first.") % {
        "number": loan.number,
        "status": loan.get_status_display().lower(),
    }
