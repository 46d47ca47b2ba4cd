"""Every write about loans. Split by topic; import from here."""

from mupaka.loans.services.applications import (
    CashFlowData,
    GuarantorData,
    ShareData,
    group_loan_apply,
    group_loan_approve,
    group_loan_reject,
    group_loan_withdraw,
    loan_apply,
    loan_approve,
    loan_reject,
    loan_withdraw,
)
from mupaka.loans.services.arrears import loan_arrears_refresh, loan_penalties_apply
from mupaka.loans.services.changes import (
    loan_request_approve,
    loan_request_create,
    loan_request_reject,
    loan_reschedule,
)
from mupaka.loans.services.disbursement import group_loan_disburse, loan_disburse
from mupaka.loans.services.products import (
    ProductData,
    loan_product_account_set,
    loan_product_accounts,
    loan_product_create,
    loan_product_update,
    product_data,
)
from mupaka.loans.services.repayments import loan_credit_refund, loan_recovery, loan_repay

__all__ = [
    "CashFlowData",
    "GuarantorData",
    "ProductData",
    "ShareData",
    "group_loan_apply",
    "group_loan_approve",
    "group_loan_disburse",
    "group_loan_reject",
    "group_loan_withdraw",
    "loan_apply",
    "loan_approve",
    "loan_arrears_refresh",
    "loan_credit_refund",
    "loan_disburse",
    "loan_penalties_apply",
    "loan_product_account_set",
    "loan_product_accounts",
    "loan_product_create",
    "loan_product_update",
    "loan_recovery",
    "loan_reject",
    "loan_repay",
    "loan_request_approve",
    "loan_request_create",
    "loan_request_reject",
    "loan_reschedule",
    "loan_withdraw",
    "product_data",
]
