"""Who may do what at the counter and the exchange desk.

The teller operates her own till (cash operations, exchanges, counting at closing,
confirming the float she receives); the branch manager keeps the vault: she opens
tills with a float, confirms the cash returned at closing, approves differences,
sets the exchange rates and reads the positions; the auditor and the accountant read.
"""

from django.utils.translation import gettext_lazy

from mupaka.core.permissions import MenuItem, register, register_menu
from mupaka.core.roles import Role as R

READERS = {R.MANAGER, R.AUDITOR, R.ACCOUNTANT, R.ADMIN}

register(
    {
        # the teller's own till
        "till.operate": {R.TELLER},
        "till.view_own": {R.TELLER} | READERS,
        # every till of the branch (journal, closing sheets)
        "till.view": READERS,
        "till.open": {R.MANAGER},
        "till.approve": {R.MANAGER},  # confirm cash returned, approve a difference, recount
        "vault.view": READERS,
        "vault.manage": {R.MANAGER},  # send cash to a till
        "vault.fund": {R.MANAGER, R.ACCOUNTANT},  # cash from/to the bank, opening balance
        # the notes and coins counted at closing (data: a note issued, one withdrawn)
        "denomination.manage": {R.MANAGER, R.ADMIN},
        "receipt.view": READERS | {R.TELLER},
        "rate.view": {R.TELLER, R.LOAN_OFFICER, R.COMMITTEE} | READERS,
        "rate.set": {R.MANAGER},
        "exchange.do": {R.TELLER},
        "exchange.position": READERS,
    }
)

register_menu(
    MenuItem(gettext_lazy("Counter"), "tellers:counter", "till.operate", 50),
    MenuItem(gettext_lazy("Tills and vault"), "tellers:till_list", "till.view", 300),
    MenuItem(gettext_lazy("Exchange rates"), "tellers:rate_list", "rate.view", 310),
    MenuItem(
        gettext_lazy("Notes and coins"), "tellers:denomination_list", "denomination.manage", 940
    ),
)
