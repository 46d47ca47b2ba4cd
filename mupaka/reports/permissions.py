"""Who reads which report.

Portfolio at risk and the arrears list: managers, the credit committee, accountants,
auditors and the administrator; a loan officer sees the same reports restricted to her
own loans (the selectors force the officer filter). Indicators, outreach, financial
statements, the central bank's pack and the dashboard: managers, accountants, auditors,
the administrator. The network coordinator sees nothing named here (the network's
anonymous indicators come in a later issue); tellers read no reports.
Branch-bound roles see their own branch (``User.sees_all_branches``).
"""

from django.utils.translation import gettext_lazy

from mupaka.core.permissions import MenuItem, register, register_menu
from mupaka.core.roles import Role as R

PORTFOLIO_READERS = {R.MANAGER, R.COMMITTEE, R.ACCOUNTANT, R.AUDITOR, R.ADMIN, R.LOAN_OFFICER}
MANAGEMENT_READERS = {R.MANAGER, R.ACCOUNTANT, R.AUDITOR, R.ADMIN}

register(
    {
        "reports.view": PORTFOLIO_READERS,
        "reports.portfolio.view": PORTFOLIO_READERS,
        "reports.arrears.view": PORTFOLIO_READERS,
        "reports.indicators.view": MANAGEMENT_READERS,
        "reports.outreach.view": MANAGEMENT_READERS,
        "reports.financial.view": MANAGEMENT_READERS,
        "reports.dashboard.view": MANAGEMENT_READERS,
        "reports.norms.manage": {R.ACCOUNTANT, R.ADMIN},
    }
)

register_menu(MenuItem(gettext_lazy("Reports"), "reports:index", "reports.view", 500))
