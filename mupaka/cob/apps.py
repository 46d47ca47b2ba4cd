from django.apps import AppConfig


class CobConfig(AppConfig):
    name = "mupaka.cob"
    label = "cob"

    def ready(self) -> None:
        from mupaka.cob.services.month_close import month_close_check
        from mupaka.cob.services.runner import posting_guard
        from mupaka.ledger.services import register_close_check, register_posting_guard

        register_posting_guard(posting_guard)
        register_close_check(month_close_check)
