from django.urls import path

from mupaka.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<str:number>/", views.account_statement, name="account_statement"),
    path("journal/", views.journal, name="journal"),
    path("journal/<int:number>/", views.entry_detail, name="entry_detail"),
    path("journal/<int:number>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("drafts/", views.draft_list, name="drafts"),
    path("drafts/new/", views.draft_create, name="draft_create"),
    path("drafts/<int:pk>/", views.draft_detail, name="draft_detail"),
    path("drafts/<int:pk>/approve/", views.draft_approve, name="draft_approve"),
    path("drafts/<int:pk>/reject/", views.draft_reject, name="draft_reject"),
    path("reports/trial-balance/", views.trial_balance, name="trial_balance"),
    path("reports/balance-sheet/", views.balance_sheet, name="balance_sheet"),
    path("reports/income-statement/", views.income_statement, name="income_statement"),
    path("reports/general-ledger/", views.general_ledger, name="general_ledger"),
    path("periods/", views.periods, name="periods"),
    path("currency-rules/", views.currency_rules, name="currency_rules"),
    path("mappings/", views.mappings, name="mappings"),
    path("verify/", views.verify, name="verify"),
]
