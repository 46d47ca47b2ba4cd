from django.urls import path

from mupaka.ledger import api

urlpatterns = [
    path("journal-entries", api.JournalEntries.as_view(), name="journal_entries"),
    path("journal-entries/drafts", api.DraftList.as_view(), name="journal_drafts"),
    path(
        "journal-entries/<int:pk>/approve", api.DraftApprove.as_view(), name="journal_draft_approve"
    ),
    path(
        "journal-entries/<int:number>/reverse",
        api.EntryReverse.as_view(),
        name="journal_entry_reverse",
    ),
    path("periods", api.Periods.as_view(), name="periods"),
    path("accounts", api.Accounts.as_view(), name="accounts"),
    path("accounts/<str:number>/balance", api.AccountBalanceView.as_view(), name="account_balance"),
    path("reports/trial-balance", api.TrialBalanceView.as_view(), name="trial_balance"),
]
