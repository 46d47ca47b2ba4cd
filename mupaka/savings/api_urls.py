from django.urls import path

from mupaka.savings import api

urlpatterns = [
    path("savings-products", api.ProductListCreate.as_view(), name="savings_products"),
    path("savings-accounts", api.AccountCreate.as_view(), name="savings_accounts"),
    path("savings-accounts/<int:pk>", api.AccountDetail.as_view(), name="savings_account"),
    path("savings-accounts/<int:pk>/deposits", api.Deposits.as_view(), name="savings_deposits"),
    path(
        "savings-accounts/<int:pk>/withdrawals",
        api.Withdrawals.as_view(),
        name="savings_withdrawals",
    ),
    path(
        "savings-accounts/<int:pk>/transactions",
        api.Transactions.as_view(),
        name="savings_transactions",
    ),
]
