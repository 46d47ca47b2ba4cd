"""Demo data of the ledger: the DRC chart (PCCI) for the demo's currencies, its default
account mappings and the example currency rules."""

from __future__ import annotations

from mupaka.core.demo import DemoContext
from mupaka.ledger.services.chart import chart_load


def build(ctx: DemoContext) -> None:
    result = chart_load(actor=None, preset=ctx.institution.regulatory_preset or "drc")
    ctx.say(
        f"Ledger: chart {result.preset} loaded ({result.accounts_created} accounts, "
        f"{result.mappings_created} mappings, {result.currency_rules_created} currency rules)."
    )
