from django.urls import path

from mupaka.loans import api

urlpatterns = [
    path("loan-products", api.ProductCollection.as_view(), name="loan_products"),
    path("loans", api.LoanCreate.as_view(), name="loans"),
    path("loans/arrears", api.LoanArrears.as_view(), name="loan_arrears"),
    path("loans/<int:pk>", api.LoanDetail.as_view(), name="loan"),
    path("loans/<int:pk>/schedule", api.LoanSchedule.as_view(), name="loan_schedule"),
    path("loans/<int:pk>/approve", api.LoanApprove.as_view(), name="loan_approve"),
    path("loans/<int:pk>/reject", api.LoanReject.as_view(), name="loan_reject"),
    path("loans/<int:pk>/withdraw", api.LoanWithdraw.as_view(), name="loan_withdraw"),
    path("loans/<int:pk>/disburse", api.LoanDisburse.as_view(), name="loan_disburse"),
    path("loans/<int:pk>/repayments", api.LoanRepayments.as_view(), name="loan_repayments"),
    path(
        "loans/<int:pk>/repayments/<int:tx>/reverse",
        api.LoanRepaymentReverse.as_view(),
        name="loan_repayment_reverse",
    ),
    path("loans/<int:pk>/recoveries", api.LoanRecoveries.as_view(), name="loan_recoveries"),
    path("loans/<int:pk>/reschedule", api.LoanReschedule.as_view(), name="loan_reschedule"),
    path("loans/<int:pk>/write-off", api.LoanWriteOff.as_view(), name="loan_write_off"),
    path("loans/<int:pk>/waivers", api.LoanWaivers.as_view(), name="loan_waivers"),
    path(
        "loan-requests/<int:pk>/approve", api.RequestApprove.as_view(), name="loan_request_approve"
    ),
    path("loan-requests/<int:pk>/reject", api.RequestReject.as_view(), name="loan_request_reject"),
    path("group-loans", api.GroupLoanCreate.as_view(), name="group_loans"),
    path("group-loans/<int:pk>", api.GroupLoanDetail.as_view(), name="group_loan"),
    path("group-loans/<int:pk>/approve", api.GroupLoanApprove.as_view(), name="group_loan_approve"),
    path("group-loans/<int:pk>/reject", api.GroupLoanReject.as_view(), name="group_loan_reject"),
    path(
        "group-loans/<int:pk>/withdraw", api.GroupLoanWithdraw.as_view(), name="group_loan_withdraw"
    ),
    path(
        "group-loans/<int:pk>/disburse", api.GroupLoanDisburse.as_view(), name="group_loan_disburse"
    ),
]
