"""Who may run end of day, edit the calendar and the provisioning bands.

Managers, accountants and administrators run end of day; everyone reads the business
date; the manager keeps the holidays; the accountant keeps the provisioning bands.
"""

from django.utils.translation import gettext_lazy

from mupaka.core.permissions import EVERYONE, MenuItem, register, register_menu
from mupaka.core.roles import Role as R

register(
    {
        "cob.run": {R.MANAGER, R.ACCOUNTANT, R.ADMIN},
        "cob.view": {R.MANAGER, R.ACCOUNTANT, R.ADMIN, R.AUDITOR},
        "business_date.view": EVERYONE,
        "holiday.manage": {R.MANAGER, R.ADMIN},
        "provision_bands.manage": {R.ACCOUNTANT, R.ADMIN},
    }
)

register_menu(
    MenuItem(gettext_lazy("End of day"), "cob:home", "cob.view", 700),
    MenuItem(gettext_lazy("Holidays"), "cob:holidays", "cob.view", 710),
    MenuItem(gettext_lazy("Provisioning bands"), "cob:bands", "cob.view", 720),
)
