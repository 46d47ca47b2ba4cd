"""Who may do what with savings.

Tellers take deposits and pay withdrawals at their till and open accounts at the
counter; loan officers open accounts and read; the branch manager sets products and
limits, reactivates dormant accounts, places and releases holds and approves
reversals; the accountant records deposits received by bank or mobile money and
approves reversals; the auditor and the committee read.
"""

from django.utils.translation import gettext_lazy

from mupaka.core.permissions import MenuItem, register, register_menu
from mupaka.core.roles import Role as R
from mupaka.savings import gl  # noqa: F401  (registers the savings roles of the chart)

READERS = {R.TELLER, R.LOAN_OFFICER, R.MANAGER, R.ADMIN, R.AUDITOR, R.COMMITTEE, R.ACCOUNTANT}

register(
    {
        "savings.view": READERS,
        "savings.product.manage": {R.MANAGER, R.ADMIN},
        "savings.limits.manage": {R.MANAGER, R.ADMIN},
        "savings.account.open": {R.TELLER, R.LOAN_OFFICER, R.MANAGER},
        "savings.account.close": {R.TELLER, R.MANAGER},
        "savings.deposit": {R.TELLER},  # cash, at the teller's own till
        "savings.withdraw": {R.TELLER},
        "savings.transfer": {R.TELLER, R.MANAGER},
        "savings.deposit_bank": {R.ACCOUNTANT, R.MANAGER},  # bank / mobile money
        "savings.reactivate": {R.MANAGER},
        "savings.hold": {R.MANAGER},
        "savings.reverse": {R.TELLER, R.MANAGER, R.ACCOUNTANT},
        "savings.reverse.approve": {R.MANAGER, R.ACCOUNTANT},
        # guarantee savings used to settle a loan's arrears: the committee or the manager
        "savings.guarantee.apply": {R.COMMITTEE, R.MANAGER},
        "savings.eod": {R.ADMIN},
    }
)

register_menu(
    MenuItem(gettext_lazy("Savings accounts"), "savings:account_list", "savings.view", 200),
    MenuItem(
        gettext_lazy("Savings products"), "savings:product_list", "savings.product.manage", 210
    ),
    MenuItem(gettext_lazy("KYC limits"), "savings:limits", "savings.limits.manage", 215),
    MenuItem(
        gettext_lazy("Savings reversals"), "savings:reversal_list", "savings.reverse.approve", 216
    ),
)
