from django.urls import path

from mupaka.savings import views

app_name = "savings"
urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("open/", views.account_open, name="account_open"),
    path("<int:pk>/", views.account_detail, name="account_detail"),
    path("<int:pk>/statement/", views.account_statement, name="statement"),
    path("<int:pk>/statement.pdf", views.account_statement_pdf, name="statement_pdf"),
    path("<int:pk>/deposit/", views.deposit, name="deposit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/break/", views.term_break, name="term_break"),
    path("<int:pk>/holds/", views.hold_place, name="hold_place"),
    path("holds/<int:hold_pk>/release/", views.hold_release, name="hold_release"),
    path("<int:pk>/block/", views.block, name="block"),
    path("<int:pk>/unblock/", views.unblock, name="unblock"),
    path("term/open/", views.term_open, name="term_open"),
    path("transactions/<int:txn_pk>/reverse/", views.reversal_request, name="reversal_request"),
    path("reversals/", views.reversal_list, name="reversal_list"),
    path("reversals/<int:pk>/approve/", views.reversal_approve, name="reversal_approve"),
    path("reversals/<int:pk>/reject/", views.reversal_reject, name="reversal_reject"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_edit, name="product_edit"),
    path("limits/", views.limits, name="limits"),
]
