from django.urls import path

from mupaka.tellers import views

app_name = "tellers"
urlpatterns = [
    path("counter/", views.counter, name="counter"),
    path("counter/search/", views.counter_search, name="counter_search"),
    path("counter/members/<int:member_id>/", views.counter_member, name="counter_member"),
    path("counter/members/<int:member_id>/operate/", views.counter_operate, name="counter_operate"),
    path("counter/exchange/", views.exchange, name="exchange"),
    path("counter/exchange/preview/", views.exchange_preview, name="exchange_preview"),
    path("counter/count/", views.till_count, name="till_count"),
    path("receipts/<int:pk>/", views.receipt_print, name="receipt_print"),
    path("receipts/<int:pk>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("tills/", views.till_list, name="till_list"),
    path("tills/open/", views.till_open, name="till_open"),
    path("tills/<int:pk>/", views.till_detail, name="till_detail"),
    path("tills/<int:pk>/close/", views.till_close_confirm, name="till_close_confirm"),
    path("tills/<int:pk>/recount/", views.till_recount, name="till_recount"),
    path("tills/<int:pk>/closing-sheet.pdf", views.till_sheet_pdf, name="till_sheet_pdf"),
    path("tills/<int:pk>/journal.pdf", views.till_journal_pdf, name="till_journal_pdf"),
    path("tills/<int:till_id>/send/", views.transfer_send, name="transfer_send"),
    path("transfers/<int:pk>/confirm/", views.transfer_confirm, name="transfer_confirm"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("vault/fund/", views.vault_fund, name="vault_fund"),
    path("rates/", views.rate_list, name="rate_list"),
    path("denominations/", views.denomination_list, name="denomination_list"),
    path("denominations/<int:pk>/status/", views.denomination_status, name="denomination_status"),
]
