from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "mupaka.ledger"
    label = "ledger"
