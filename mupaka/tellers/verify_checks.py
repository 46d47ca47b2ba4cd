"""``mupaka verify`` checks of the tellers app.

* ``tellers.cash_vs_ledger``: per currency, the tills' cash plus the vaults' cash (their
  sub-ledger lines) equals the ``till_cash`` plus ``vault_cash`` control accounts, and
  each control account on its own: every line on those accounts names its till or
  vault, and that till or vault exists.
* ``tellers.closed_tills_empty``: a closed till holds no cash; no till or vault is
  negative in any currency.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from mupaka.ledger.models import AccountBalance, JournalLine
from mupaka.ledger.verify import register_check
from mupaka.tellers.models import TILL_SUBLEDGER, VAULT_SUBLEDGER, Till, TillStatus, Vault
from mupaka.tellers.selectors import role_account_ids


def _gl(role: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in (
        AccountBalance.objects.filter(account_id__in=role_account_ids(role))
        .values("currency")
        .annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
    ):
        totals[row["currency"]] += int(row["d"] or 0) - int(row["c"] or 0)
    return totals


def _by_holder(role: str, subledger_type: str) -> dict[tuple[str, str], int]:
    rows = (
        JournalLine.objects.filter(
            account_id__in=role_account_ids(role), subledger_type=subledger_type
        )
        .values("subledger_id", "currency")
        .annotate(d=Sum("debit_minor"), c=Sum("credit_minor"))
    )
    return {(r["subledger_id"], r["currency"]): int(r["d"] or 0) - int(r["c"] or 0) for r in rows}


def cash_vs_ledger() -> list[str]:
    problems: list[str] = []
    tills = _by_holder("till_cash", TILL_SUBLEDGER)
    vaults = _by_holder("vault_cash", VAULT_SUBLEDGER)
    gl_till, gl_vault = _gl("till_cash"), _gl("vault_cash")
    sub_till: dict[str, int] = defaultdict(int)
    sub_vault: dict[str, int] = defaultdict(int)
    for (_ref, cur), v in tills.items():
        sub_till[cur] += v
    for (_ref, cur), v in vaults.items():
        sub_vault[cur] += v
    for cur in sorted(set(gl_till) | set(gl_vault) | set(sub_till) | set(sub_vault)):
        books = gl_till.get(cur, 0) + gl_vault.get(cur, 0)
        held = sub_till.get(cur, 0) + sub_vault.get(cur, 0)
        if books != held:
            problems.append(
                f"{cur}: tills + vaults {held} ≠ till_cash + vault_cash {books} (minor units)"
            )
        if gl_till.get(cur, 0) != sub_till.get(cur, 0):
            problems.append(
                f"{cur}: tills {sub_till.get(cur, 0)} ≠ till_cash {gl_till.get(cur, 0)}: "
                "a line on till cash does not name its till"
            )
        if gl_vault.get(cur, 0) != sub_vault.get(cur, 0):
            problems.append(
                f"{cur}: vaults {sub_vault.get(cur, 0)} ≠ vault_cash {gl_vault.get(cur, 0)}: "
                "a line on vault cash does not name its vault"
            )
    till_ids = {str(i) for i in Till.objects.values_list("id", flat=True)}
    vault_ids = {str(i) for i in Vault.objects.values_list("id", flat=True)}
    for ref in sorted({r for r, _c in tills} - till_ids):
        problems.append(f"till cash lines name till {ref}, which does not exist")
    for ref in sorted({r for r, _c in vaults} - vault_ids):
        problems.append(f"vault cash lines name vault {ref}, which does not exist")
    return problems


def closed_tills_empty() -> list[str]:
    problems: list[str] = []
    tills = _by_holder("till_cash", TILL_SUBLEDGER)
    closed = {
        str(i) for i in Till.objects.filter(status=TillStatus.CLOSED).values_list("id", flat=True)
    }
    for (ref, cur), v in sorted(tills.items()):
        if ref in closed and v != 0:
            problems.append(f"closed till {ref} still holds {v} {cur} (minor units)")
        elif v < 0:
            problems.append(f"till {ref} is negative in {cur}: {v} (minor units)")
    for (ref, cur), v in sorted(_by_holder("vault_cash", VAULT_SUBLEDGER).items()):
        if v < 0:
            problems.append(f"vault {ref} is negative in {cur}: {v} (minor units)")
    return problems


register_check("tellers.cash_vs_ledger", cash_vs_ledger)
register_check("tellers.closed_tills_empty", closed_tills_empty)
