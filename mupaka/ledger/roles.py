"""Roles an account plays in postings: what services ask ``account_for`` for.

Each role maps to one account per currency, by default from the preset (editable by
the accountant) and optionally per product. Apps may add a role with
:func:`register_role` (at import of their ``permissions`` or ``apps`` module).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MAPPING_ROLES: dict[str, object] = {
    # loans
    "loan_portfolio": _("Loans outstanding (principal, performing)"),
    "loan_portfolio_arrears": _("Loans in arrears (principal)"),
    "interest_receivable": _("Interest accrued, not yet paid"),
    "interest_income": _("Interest on loans"),
    "fee_income": _("Loan fees and commissions"),
    "penalty_income": _("Late payment penalties"),
    "loan_loss_provision": _("Provision for loan losses (contra-asset)"),
    "provision_expense": _("Charge to provisions for loan losses"),
    "write_off_recoveries": _("Recoveries on loans written off"),
    "overpayment_liability": _("Overpayments owed to members"),
    # savings and shares
    "savings_deposits": _("Members' savings deposits"),
    "guarantee_savings": _("Blocked guarantee savings"),
    "savings_interest_expense": _("Interest paid on savings"),
    "term_deposits": _("Term deposits"),
    "savings_fee_income": _("Fees on savings accounts"),
    "savings_penalty_income": _("Penalties for breaking a term deposit early"),
    "savings_withholding_tax": _("Tax withheld on savings interest, owed to the State"),
    "savings_interest_payable": _("Interest accrued on savings, not yet credited to the accounts"),
    "member_shares": _("Member shares (parts sociales)"),
    "entry_fee_income": _("Entry fees (droit d'adhésion)"),
    # cash and exchange
    "till_cash": _("Cash in tellers' tills"),
    "vault_cash": _("Cash in the vault"),
    "bank": _("Bank accounts"),
    "exchange_position": _("Foreign exchange position"),
    "exchange_income": _("Gains on foreign exchange"),
    "exchange_loss": _("Losses on foreign exchange"),
    "exchange_revaluation_gain": _(
        "Unrealised gains on the month-end revaluation of the exchange position"
    ),
    "exchange_revaluation_loss": _(
        "Unrealised losses on the month-end revaluation of the exchange position"
    ),
    "teller_difference": _("Till shortages and overages awaiting decision"),
    "suspense": _("Suspense (items to clear)"),
    # equity
    "retained_earnings": _("Retained earnings"),
    "current_result": _("Result of the year"),
}


# The roles the presets must map (other apps' roles may have no preset default).
PRESET_ROLES = frozenset(MAPPING_ROLES)


def register_role(name: str, description) -> None:
    """Declare a role another app posts with (its default account comes from the preset
    YAML ``mappings`` or is set by the accountant)."""
    MAPPING_ROLES.setdefault(name, description)


def is_known_role(name: str) -> bool:
    return name in MAPPING_ROLES
