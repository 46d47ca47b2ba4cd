"""Who may do what with loans.

The loan officer files applications (and appraises the trader); the credit committee or
a manager approves or rejects them, never the person who filed (checked by the service
and by the database). The teller disburses and takes repayments, recoveries and refunds
at the till. A manager or the committee reschedules (once). Write-offs, waivers and the
reversal of a repayment are requested by one person and approved by another
(``LoanRequest``). An application is withdrawn, before disbursement, by a loan officer
of its branch (who filed it or not) or the manager. The accountant and the auditor read.
"""

from django.utils.translation import gettext_lazy

from mupaka.core.permissions import MenuItem, register, register_menu
from mupaka.core.roles import Role as R

READERS = {
    R.TELLER,
    R.LOAN_OFFICER,
    R.COMMITTEE,
    R.MANAGER,
    R.ACCOUNTANT,
    R.AUDITOR,
    R.ADMIN,
}

register(
    {
        "loan.view": READERS,
        "loan_product.view": READERS,
        "loan_product.manage": {R.MANAGER, R.ADMIN},
        "loan.apply": {R.LOAN_OFFICER, R.MANAGER},
        "loan.approve": {R.COMMITTEE, R.MANAGER},
        # withdrawing an application before disbursement: the officer who filed it, a
        # loan officer of the branch or the manager (the branch is checked by the service)
        "loan.withdraw": {R.LOAN_OFFICER, R.MANAGER},
        "loan.disburse": {R.TELLER},
        "loan.repay": {R.TELLER},
        "loan.refund": {R.TELLER},
        "loan.recovery": {R.TELLER},
        "loan.reschedule": {R.COMMITTEE, R.MANAGER},
        "loan.penalties.apply": {R.MANAGER, R.ADMIN},
        "loan.arrears.view": {R.LOAN_OFFICER, R.COMMITTEE, R.MANAGER, R.ACCOUNTANT, R.AUDITOR},
        # maker-checker acts: requested by one person, approved by another
        "loan.write_off.request": {R.MANAGER, R.COMMITTEE},
        "loan.write_off.approve": {R.MANAGER, R.COMMITTEE},
        "loan.waiver.request": {R.MANAGER, R.COMMITTEE, R.LOAN_OFFICER},
        "loan.waiver.approve": {R.MANAGER, R.COMMITTEE},
        "loan.reversal.request": {R.TELLER, R.MANAGER, R.ACCOUNTANT},
        "loan.reversal.approve": {R.MANAGER, R.ACCOUNTANT},
    }
)

register_menu(
    MenuItem(gettext_lazy("Loans"), "loans:loan_list", "loan.view", 200),
    MenuItem(gettext_lazy("Credit committee"), "loans:pipeline", "loan.approve", 210),
    MenuItem(gettext_lazy("Arrears"), "loans:arrears", "loan.arrears.view", 220),
    MenuItem(gettext_lazy("Loan products"), "loans:product_list", "loan_product.manage", 230),
)
