"""Who may do what with member shares and entry fees.

The teller takes the entry fee and share purchases at her till and pays approved
redemptions; the loan officer or the manager asks for a redemption when a member
leaves, and a second person (manager or committee) approves it; the manager sets the
share product; readers see the holdings.
"""

from django.utils.translation import gettext_lazy

from mupaka.core.permissions import MenuItem, register, register_menu
from mupaka.core.roles import Role as R

READERS = {R.TELLER, R.LOAN_OFFICER, R.MANAGER, R.ADMIN, R.AUDITOR, R.COMMITTEE, R.ACCOUNTANT}

register(
    {
        "shares.view": READERS,
        "shares.product.manage": {R.MANAGER, R.ADMIN},
        "shares.buy": {R.TELLER},
        "shares.redeem.request": {R.LOAN_OFFICER, R.MANAGER},
        "shares.redeem.approve": {R.MANAGER, R.COMMITTEE},
        "shares.redeem.pay": {R.TELLER},
    }
)

register_menu(
    MenuItem(gettext_lazy("Member shares"), "shares:holding_list", "shares.view", 220),
    MenuItem(gettext_lazy("Share product"), "shares:product", "shares.product.manage", 225),
)
