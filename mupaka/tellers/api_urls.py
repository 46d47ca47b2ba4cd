from django.urls import path

from mupaka.tellers import api

urlpatterns = [
    path("tills", api.TillListCreate.as_view(), name="tills"),
    path("tills/<int:pk>", api.TillDetail.as_view(), name="till"),
    path("tills/<int:pk>/close", api.TillClose.as_view(), name="till_close"),
    path("tills/<int:pk>/close/confirm", api.TillCloseConfirm.as_view(), name="till_close_confirm"),
    path("tills/<int:pk>/recount", api.TillRecount.as_view(), name="till_recount"),
    path("cash-transfers", api.TransferCreate.as_view(), name="cash_transfers"),
    path(
        "cash-transfers/<int:pk>/confirm",
        api.TransferConfirm.as_view(),
        name="cash_transfer_confirm",
    ),
    path(
        "cash-transfers/<int:pk>/cancel", api.TransferCancel.as_view(), name="cash_transfer_cancel"
    ),
    path("vault-fundings", api.VaultFund.as_view(), name="vault_fundings"),
    path("exchange-rates", api.RateListCreate.as_view(), name="exchange_rates"),
    path("exchanges", api.ExchangeListCreate.as_view(), name="exchanges"),
    path("exchange-positions", api.Positions.as_view(), name="exchange_positions"),
]
