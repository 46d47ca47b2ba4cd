"""Staff roles. Kept apart from models so pure code and permission tables can import it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TELLER = "teller", _("Teller")
    LOAN_OFFICER = "officer", _("Loan officer")
    COMMITTEE = "committee", _("Credit committee")
    ACCOUNTANT = "accountant", _("Accountant")
    MANAGER = "manager", _("Branch manager")
    AUDITOR = "auditor", _("Auditor")
    COORDINATOR = "coordinator", _("Network coordinator")
    ADMIN = "admin", _("Administrator")


# Roles whose holders see every branch; the others see their own branch only
# unless the user record says otherwise (User.all_branches).
ALL_BRANCH_ROLES = frozenset({Role.ACCOUNTANT, Role.AUDITOR, Role.COORDINATOR, Role.ADMIN})
ALL_ROLES = frozenset(Role)
