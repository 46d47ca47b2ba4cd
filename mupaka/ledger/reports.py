"""The books as tables: one shape for every report, rendered as a page, an XLSX workbook
(openpyxl, amounts as numbers, never floats) and a PDF (weasyprint)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from mupaka.core.money import Money
from mupaka.core.money_format import format_amount
from mupaka.ledger.selectors import FinancialStatement, Statement, TrialBalance


@dataclass
class Column:
    label: str
    numeric: bool = False


@dataclass
class Row:
    cells: list  # str, Money or None
    style: str = ""  # "", "header", "subtotal", "total"
    level: int = 0


@dataclass
class Table:
    title: str
    subtitle: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    filename: str = "report"

    def display_rows(self):
        """Rows with every cell as text, amounts formatted in the active locale."""
        for row in self.rows:
            cells = []
            for value in row.cells:
                if isinstance(value, Money):
                    cells.append(format_amount(value))
                else:
                    cells.append("" if value is None else str(value))
            yield row, list(zip(cells, self.columns, strict=True))


def _d(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _name(obj, lang: str) -> str:
    return obj.name_en if lang.startswith("en") else obj.name_fr


def _m(minor: int, currency: str) -> Money:
    return Money.from_minor(minor, currency)


def trial_balance_table(tb: TrialBalance) -> Table:
    lang = translation.get_language() or "fr"
    cur = tb.currency
    table = Table(
        title=_("Trial balance"),
        subtitle=_("%(currency)s, at the end of %(date)s")
        % {"currency": cur, "date": _d(tb.as_of)},
        columns=[
            Column(_("Account")),
            Column(_("Name")),
            Column(_("Debits"), True),
            Column(_("Credits"), True),
            Column(_("Debit balance"), True),
            Column(_("Credit balance"), True),
        ],
        filename=f"balance-{cur}-{tb.as_of.isoformat()}",
    )
    for r in tb.rows:
        table.rows.append(
            Row(
                [
                    r.account.number,
                    _name(r.account, lang),
                    _m(r.debit_minor, cur),
                    _m(r.credit_minor, cur),
                    _m(r.debit_balance_minor, cur) if r.debit_balance_minor else None,
                    _m(r.credit_balance_minor, cur) if r.credit_balance_minor else None,
                ]
            )
        )
    table.rows.append(
        Row(
            [
                _("Total"),
                "",
                _m(tb.total_debit_minor, cur),
                _m(tb.total_credit_minor, cur),
                _m(tb.total_debit_balance_minor, cur),
                _m(tb.total_credit_balance_minor, cur),
            ],
            style="total",
        )
    )
    if not tb.balanced:
        table.notes.append(_("Warning: debits and credits differ. Run 'mupaka verify'."))
    return table


def statement_table(st: Statement) -> Table:
    lang = translation.get_language() or "fr"
    cur = st.currency
    table = Table(
        title=_("Account statement %(number)s") % {"number": st.account.number},
        subtitle=f"{_name(st.account, lang)} · {cur} · {_d(st.date_from)} – {_d(st.date_to)}",
        columns=[
            Column(_("Value date")),
            Column(_("Entry")),
            Column(_("Narrative")),
            Column(_("Debit"), True),
            Column(_("Credit"), True),
            Column(_("Balance"), True),
        ],
        filename=f"statement-{st.account.number}-{st.date_from.isoformat()}-{st.date_to.isoformat()}",
    )
    table.rows.append(
        Row(
            [_d(st.date_from), "", _("Opening balance"), None, None, _m(st.opening_minor, cur)],
            "subtotal",
        )
    )
    for ln in st.lines:
        narrative = ln.narrative + (f" — {ln.memo}" if ln.memo else "")
        table.rows.append(
            Row(
                [
                    _d(ln.business_date),
                    str(ln.entry_number),
                    narrative,
                    _m(ln.debit_minor, cur) if ln.debit_minor else None,
                    _m(ln.credit_minor, cur) if ln.credit_minor else None,
                    _m(ln.balance_minor, cur),
                ]
            )
        )
    table.rows.append(
        Row(
            [
                _d(st.date_to),
                "",
                _("Closing balance"),
                _m(st.total_debit_minor, cur),
                _m(st.total_credit_minor, cur),
                _m(st.closing_minor, cur),
            ],
            "total",
        )
    )
    table.notes.append(
        _("Balances are debits minus credits: a negative balance is a credit balance.")
    )
    return table


def general_ledger_table(
    statements: list[Statement], *, currency: str, date_from: dt.date, date_to: dt.date
) -> Table:
    lang = translation.get_language() or "fr"
    table = Table(
        title=_("General ledger"),
        subtitle=f"{currency} · {_d(date_from)} – {_d(date_to)}",
        columns=[
            Column(_("Value date")),
            Column(_("Entry")),
            Column(_("Narrative")),
            Column(_("Debit"), True),
            Column(_("Credit"), True),
            Column(_("Balance"), True),
        ],
        filename=f"grand-livre-{currency}-{date_from.isoformat()}-{date_to.isoformat()}",
    )
    for st in statements:
        table.rows.append(
            Row(
                [
                    st.account.number,
                    "",
                    _name(st.account, lang),
                    None,
                    None,
                    _m(st.opening_minor, currency),
                ],
                "header",
            )
        )
        for ln in st.lines:
            table.rows.append(
                Row(
                    [
                        _d(ln.business_date),
                        str(ln.entry_number),
                        ln.narrative,
                        _m(ln.debit_minor, currency) if ln.debit_minor else None,
                        _m(ln.credit_minor, currency) if ln.credit_minor else None,
                        _m(ln.balance_minor, currency),
                    ],
                    level=1,
                )
            )
        table.rows.append(
            Row(
                [
                    "",
                    "",
                    _("Total %(number)s") % {"number": st.account.number},
                    _m(st.total_debit_minor, currency),
                    _m(st.total_credit_minor, currency),
                    _m(st.closing_minor, currency),
                ],
                "subtotal",
            )
        )
    return table


SECTION_TITLES = {
    "assets": lambda: _("Assets"),
    "liabilities_equity": lambda: _("Liabilities and equity"),
    "off_balance": lambda: _("Off-balance sheet"),
    "income": lambda: _("Income"),
    "expenses": lambda: _("Expenses"),
}


def statement_of(fs: FinancialStatement) -> Table:
    lang = translation.get_language() or "fr"
    cur = fs.currency
    if fs.kind == "balance_sheet":
        title = _("Balance sheet")
        subtitle = _("%(currency)s, at the end of %(date)s") % {
            "currency": cur,
            "date": _d(fs.date_to),
        }
        filename = f"bilan-{cur}-{fs.date_to.isoformat()}"
    else:
        title = _("Income statement")
        subtitle = f"{cur} · {_d(fs.date_from)} – {_d(fs.date_to)}"
        filename = f"compte-de-resultat-{cur}-{fs.date_from.isoformat()}-{fs.date_to.isoformat()}"
    table = Table(
        title,
        subtitle,
        [Column(_("Account")), Column(_("Name")), Column(cur, True)],
        filename=filename,
    )
    for section in fs.sections:
        if section.key == "off_balance" and not section.rows:
            continue
        table.rows.append(Row([SECTION_TITLES[section.key](), "", None], "header"))
        for r in section.rows:
            table.rows.append(
                Row(
                    [r.number, r.name(lang), _m(r.amount_minor, cur)],
                    "subtotal" if r.is_header and r.level == 1 else "",
                    level=r.level,
                )
            )
        if fs.kind == "balance_sheet" and section.key == "liabilities_equity":
            table.rows.append(
                Row(
                    [
                        "",
                        _("Result of the period (income less expenses)"),
                        _m(fs.result_minor, cur),
                    ],
                    level=1,
                )
            )
        table.rows.append(
            Row(
                [
                    "",
                    _("Total %(section)s") % {"section": SECTION_TITLES[section.key]().lower()},
                    _m(section.total_minor, cur),
                ],
                "total",
            )
        )
    if fs.kind == "income_statement":
        table.rows.append(
            Row(
                ["", _("Result of the period (income less expenses)"), _m(fs.result_minor, cur)],
                "total",
            )
        )
    elif not fs.balanced:
        table.notes.append(_("Warning: assets and liabilities differ. Run 'mupaka verify'."))
    table.notes.append(
        _("Amounts in %(currency)s only; other currencies have their own statements.")
        % {"currency": cur}
    )
    return table


# --- renderers ----------------------------------------------------------------------------
def table_to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31]
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([table.subtitle])
    ws.append([])
    ws.append([c.label for c in table.columns])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        if column.numeric:
            ws.cell(row=4, column=index).alignment = Alignment(horizontal="right")
    for row in table.rows:
        values = []
        for value in row.cells:
            values.append(
                value.amount if isinstance(value, Money) else value
            )  # Decimal, never float
        ws.append(values)
        current = ws.max_row
        for index, value in enumerate(row.cells, start=1):
            cell = ws.cell(row=current, column=index)
            if isinstance(value, Money):
                places = value.exponent
                cell.number_format = "#,##0" + ("." + "0" * places if places else "")
                cell.alignment = Alignment(horizontal="right")
            if row.style in ("header", "total", "subtotal"):
                cell.font = Font(bold=True)
    for note in table.notes:
        ws.append([])
        ws.append([note])
    for index, column in enumerate(table.columns, start=1):
        letter = ws.cell(row=4, column=index).column_letter
        ws.column_dimensions[letter].width = (
            18 if column.numeric else (48 if index == 2 or index == 3 else 14)
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def table_to_pdf(table: Table, *, institution=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "ledger/report_print.html", {"table": table, "institution": institution}
    )
    return HTML(string=html).write_pdf()
