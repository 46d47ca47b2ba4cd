"""Which general-ledger account a savings posting uses: a thin adapter over
``mupaka.ledger.selectors.account_for``.

The presets map every savings role (DRC: 3300 voluntary, 3320 guarantee, 3310 term,
6000 interest, 7030 fees, 7040 penalties, 4400 tax withheld). A chart loaded before the
last four existed has no mapping for them: until ``mupaka chart load`` adds it, each
falls back to a mapped role, documented here and in API.md:

| role | meaning | falls back to |
|---|---|---|
| ``term_deposits`` | term deposits (3310 in the DRC chart) | ``savings_deposits`` |
| ``savings_fee_income`` | withdrawal and maintenance fees | ``fee_income`` |
| ``savings_penalty_income`` | penalties for breaking a term deposit | ``savings_fee_income`` |
| ``savings_withholding_tax`` | tax withheld on interest, owed to the State | ``suspense`` |

A savings account keeps the account it was opened with (``gl_account``), so a later
change of mapping applies to new accounts only and the sub-ledger check stays exact.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mupaka.core.exceptions import ValidationFailed
from mupaka.ledger.models import Account
from mupaka.ledger.roles import register_role
from mupaka.ledger.selectors import account_for

ROLE_BY_KIND = {
    "voluntary": "savings_deposits",
    "guarantee": "guarantee_savings",
    "term": "term_deposits",
}
FALLBACK = {
    "term_deposits": "savings_deposits",
    "savings_fee_income": "fee_income",
    "savings_penalty_income": "savings_fee_income",
    "savings_withholding_tax": "suspense",
}
register_role("term_deposits", _("Term deposits"))
register_role("savings_fee_income", _("Fees on savings accounts"))
register_role("savings_penalty_income", _("Penalties for breaking a term deposit early"))
register_role("savings_withholding_tax", _("Tax withheld on savings interest, owed to the State"))


def gl_account(role: str, currency: str, product=None) -> Account:
    """``account_for(role, currency, product)``, following FALLBACK when the role is
    not mapped; ValidationFailed ``no_account_mapping`` when nothing is."""
    seen: list[str] = []
    while True:
        try:
            return account_for(role, currency, product)
        except ValidationFailed as exc:
            if exc.code != "no_account_mapping" or role not in FALLBACK or role in seen:
                raise
            seen.append(role)
            role = FALLBACK[role]
