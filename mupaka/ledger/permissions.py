"""Who may read and write the books.

The accountant keeps the chart and prepares manual entries; a second person (another
accountant or a manager, never the maker) approves them before they post, and
approves the reversal of a manual entry. Managers and auditors read; the
administrator may also reopen a closed month (with a reason, audited).
Postings made by other services (a teller's deposit, a loan's repayment) are
checked by those services' own permissions before they call ``journal_post``.
"""

from mupaka.core.permissions import register
from mupaka.core.roles import Role as R

READERS = {R.ACCOUNTANT, R.MANAGER, R.AUDITOR, R.ADMIN}

register(
    {
        "ledger.view": READERS,
        "ledger.chart.manage": {R.ACCOUNTANT, R.ADMIN},
        "ledger.currency_rule.manage": {R.ACCOUNTANT, R.ADMIN},
        "ledger.mapping.manage": {R.ACCOUNTANT, R.ADMIN},
        "ledger.entry.create": {R.ACCOUNTANT},
        # maker-checker: the approver must be another person (checked by the service).
        "ledger.entry.approve": {R.ACCOUNTANT, R.MANAGER},
        "ledger.entry.reverse": {R.ACCOUNTANT, R.MANAGER},
        "ledger.period.close": {R.ACCOUNTANT},
        "ledger.period.reopen": {R.ADMIN},
        "ledger.verify": READERS,
    }
)

from django.utils.translation import gettext_lazy  # noqa: E402

from mupaka.core.permissions import MenuItem, register_menu  # noqa: E402

register_menu(MenuItem(gettext_lazy("Accounting"), "ledger:index", "ledger.view", 400))
