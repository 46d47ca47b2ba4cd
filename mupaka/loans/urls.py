from django.urls import path

from mupaka.loans import views

app_name = "loans"
urlpatterns = [
    path("", views.loan_list, name="loan_list"),
    path("new/", views.loan_apply, name="apply"),
    path("committee/", views.pipeline, name="pipeline"),
    path("arrears/", views.arrears, name="arrears"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_edit, name="product_create"),
    path("products/<int:pk>/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/accounts/", views.product_accounts, name="product_accounts"),
    path("<int:pk>/", views.loan_detail, name="loan_detail"),
    path("<int:pk>/approve/", views.loan_approve, name="approve"),
    path("<int:pk>/reject/", views.loan_reject, name="reject"),
    path("<int:pk>/disburse/", views.loan_disburse, name="disburse"),
    path("<int:pk>/repay/", views.loan_repay, name="repay"),
    path("<int:pk>/reschedule/", views.loan_reschedule, name="reschedule"),
    path("<int:pk>/refund/", views.loan_refund, name="refund"),
    path("<int:pk>/recovery/", views.loan_recovery, name="recovery"),
    path("<int:pk>/requests/<str:kind>/", views.loan_request_create, name="request_create"),
    path("<int:pk>/disclosure/", views.loan_disclosure, name="disclosure"),
    path("<int:pk>/disclosure.pdf", views.loan_disclosure, {"pdf": True}, name="disclosure_pdf"),
    path("<int:pk>/statement.pdf", views.loan_statement_pdf, name="statement_pdf"),
    path("groups/apply/", views.group_apply_choose, name="group_apply_choose"),
    path("groups/apply/<int:group_pk>/", views.group_loan_apply, name="group_apply"),
    path("groups/<int:pk>/", views.group_loan_detail, name="group_loan_detail"),
    path("groups/<int:pk>/approve/", views.group_loan_approve, name="group_approve"),
    path("groups/<int:pk>/reject/", views.group_loan_reject, name="group_reject"),
    path("groups/<int:pk>/disburse/", views.group_loan_disburse, name="group_disburse"),
    path("groups/<int:pk>/disclosure/", views.group_loan_disclosure, name="group_disclosure"),
    path(
        "groups/<int:pk>/disclosure.pdf",
        views.group_loan_disclosure,
        {"pdf": True},
        name="group_disclosure_pdf",
    ),
]
