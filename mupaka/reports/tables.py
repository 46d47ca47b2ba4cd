"""Reports laid out as tables (the ledger's ``Table``/``Row``/``Column`` shape, so the same
partial renders them), and the renderers: page, XLSX (one sheet per table, amounts and
percentages as numbers, never floats) and PDF (weasyprint)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal, format_percent
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mupaka.core.money import Money
from mupaka.core.money_format import current_locale
from mupaka.ledger.reports import Column, Row, Table
from mupaka.reports.domain.par import percent

BUCKET_LABELS = {
    "current": gettext_lazy("Current (not late)"),
    "1-30": gettext_lazy("1–30 days"),
    "31-60": gettext_lazy("31–60 days"),
    "61-90": gettext_lazy("61–90 days"),
    "91-180": gettext_lazy("91–180 days"),
    "181-360": gettext_lazy("181–360 days"),
    ">360": gettext_lazy("More than 360 days"),
}


@dataclass(frozen=True)
class Pct:
    """A ratio shown as a percentage (``value`` is the fraction, None: not computable)."""

    value: Decimal | None

    def __str__(self) -> str:
        if self.value is None:
            return "—"
        return format_percent(self.value, "#,##0.00 %", locale=current_locale())


@dataclass(frozen=True)
class Num:
    """A count or a plain number shown with the locale's grouping."""

    value: Decimal | int | None
    places: int = 0

    def __str__(self) -> str:
        if self.value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * self.places if self.places else "")
        return format_decimal(Decimal(self.value), pattern, locale=current_locale())


def money(minor: int | Decimal | None, currency: str) -> Money | Num:
    if minor is None:
        return Num(None)
    if isinstance(minor, Decimal) and minor != minor.to_integral_value():
        minor = minor.quantize(Decimal(1))
    return Money.from_minor(int(minor), currency)


# --- portfolio ---------------------------------------------------------------------------------
def portfolio_tables(report, *, dimension_label: str = "") -> list[Table]:
    tables = []
    date = report.on_date.strftime("%d/%m/%Y")
    source = (
        _("from the end-of-day snapshot")
        if report.source == "snapshot"
        else _("from the loans as they stand now (end of day has not run for this date)")
    )
    for c in report.currencies:
        q = c.quality
        cur = c.currency
        summary = Table(
            _("Portfolio at risk, %(currency)s") % {"currency": cur},
            _("At the end of %(date)s, %(source)s") % {"date": date, "source": source},
            [
                Column(_("Indicator")),
                Column(_("Loans"), True),
                Column(_("Amount"), True),
                Column(_("Ratio"), True),
            ],
            filename=f"portefeuille-{cur}-{report.on_date.isoformat()}",
        )
        summary.rows.append(
            Row(
                [
                    _("Gross loan portfolio (principal outstanding)"),
                    Num(q.loans),
                    money(q.gross_loan_portfolio_minor, cur),
                    Pct(Decimal(1) if q.loans else None),
                ],
                "total",
            )
        )
        for days in (1, 30, 90):
            p = q.par[days]
            summary.rows.append(
                Row(
                    [
                        _("PAR%(days)s — late more than %(limit)s days, plus restructured loans")
                        % {"days": days, "limit": 0 if days == 1 else days},
                        Num(p.loans),
                        money(p.amount_minor, cur),
                        Pct(p.ratio),
                    ]
                )
            )
        summary.rows.append(
            Row(
                [
                    _("of which restructured loans (counted in every PAR)"),
                    Num(q.restructured_loans),
                    money(q.restructured_outstanding_minor, cur),
                    None,
                ]
            )
        )
        summary.rows.append(Row([_("Borrowers"), Num(c.borrowers), None, None]))
        summary.notes.append(
            _(
                "SEEP definition: the whole outstanding principal of every loan with an instalment "
                "late more than X days, plus all restructured loans, over the gross loan portfolio."
            )
        )
        tables.append(summary)

        ageing = Table(
            _("Ageing of the portfolio, %(currency)s") % {"currency": cur},
            _("At the end of %(date)s") % {"date": date},
            [
                Column(_("Days late")),
                Column(_("Loans"), True),
                Column(_("Principal outstanding"), True),
                Column(_("Share"), True),
                Column(_("Amount overdue"), True),
                Column(_("Restructured loans"), True),
            ],
            filename=f"anciennete-{cur}-{report.on_date.isoformat()}",
        )
        for b in q.buckets:
            ageing.rows.append(
                Row(
                    [
                        str(BUCKET_LABELS[b.key]),
                        Num(b.loans),
                        money(b.outstanding_minor, cur),
                        Pct(b.share),
                        money(b.overdue_minor, cur),
                        Num(b.restructured_loans),
                    ]
                )
            )
        ageing.rows.append(
            Row(
                [
                    _("Total"),
                    Num(q.loans),
                    money(q.gross_loan_portfolio_minor, cur),
                    Pct(Decimal(1) if q.loans else None),
                    money(q.overdue_minor, cur),
                    Num(q.restructured_loans),
                ],
                "total",
            )
        )
        tables.append(ageing)

        if report.group_by and c.slices:
            by = Table(
                _("By %(dimension)s, %(currency)s")
                % {"dimension": dimension_label, "currency": cur},
                _("At the end of %(date)s") % {"date": date},
                [
                    Column(dimension_label.capitalize()),
                    Column(_("Loans"), True),
                    Column(_("Borrowers"), True),
                    Column(_("Portfolio"), True),
                    Column(_("PAR1"), True),
                    Column(_("PAR30"), True),
                    Column(_("PAR30 amount"), True),
                    Column(_("PAR90"), True),
                ],
                filename=f"portefeuille-par-{report.group_by}-{cur}-{report.on_date.isoformat()}",
            )
            for s in c.slices:
                sq = s.quality
                by.rows.append(
                    Row(
                        [
                            s.label,
                            Num(sq.loans),
                            Num(s.borrowers),
                            money(sq.gross_loan_portfolio_minor, cur),
                            Pct(sq.par[1].ratio),
                            Pct(sq.par[30].ratio),
                            money(sq.par[30].amount_minor, cur),
                            Pct(sq.par[90].ratio),
                        ]
                    )
                )
            by.rows.append(
                Row(
                    [
                        _("Total"),
                        Num(q.loans),
                        Num(c.borrowers),
                        money(q.gross_loan_portfolio_minor, cur),
                        Pct(q.par[1].ratio),
                        Pct(q.par[30].ratio),
                        money(q.par[30].amount_minor, cur),
                        Pct(q.par[90].ratio),
                    ],
                    "total",
                )
            )
            tables.append(by)
    return tables


def arrears_table(lines, *, on_date) -> Table:
    table = Table(
        _("Arrears list for follow-up"),
        _("Loans late at the end of %(date)s, most late first")
        % {"date": on_date.strftime("%d/%m/%Y")},
        [
            Column(_("Loan")),
            Column(_("Member")),
            Column(_("Phone")),
            Column(_("Group (leader, phone)")),
            Column(_("Officer")),
            Column(_("Days late"), True),
            Column(_("Amount due now"), True),
            Column(_("Principal outstanding"), True),
            Column(_("Next instalment")),
        ],
        filename=f"retards-{on_date.isoformat()}",
    )
    for ln in lines:
        group = ln.group_name
        if ln.leader_name:
            group += f" ({ln.leader_name}, {ln.leader_phone or '—'})"
        table.rows.append(
            Row(
                [
                    ln.loan_number + (" *" if ln.restructured else ""),
                    f"{ln.member_name} ({ln.member_number})",
                    ln.phone or "—",
                    group,
                    ln.officer,
                    Num(ln.days_past_due),
                    money(ln.overdue_minor, ln.currency),
                    money(ln.principal_outstanding_minor, ln.currency),
                    ln.next_due_date.strftime("%d/%m/%Y") if ln.next_due_date else "",
                ]
            )
        )
    table.notes.append(_("* restructured loan."))
    return table


# --- indicators ----------------------------------------------------------------------------------
INDICATOR_LABELS = {
    "write_off_ratio": (
        gettext_lazy("Write-off ratio"),
        gettext_lazy(
            "Value of loans written off in the period (annualised) ÷ average gross loan portfolio"
        ),
    ),
    "risk_coverage_ratio": (
        gettext_lazy("Risk coverage ratio"),
        gettext_lazy(
            "Impairment loss allowance ÷ PAR30 (loans late more than 30 days plus restructured loans)"
        ),
    ),
    "operational_self_sufficiency": (
        gettext_lazy("Operational self-sufficiency"),
        gettext_lazy(
            "Financial revenue ÷ (financial expense + net impairment loss + operating expense)"
        ),
    ),
    "portfolio_yield_nominal": (
        gettext_lazy("Portfolio yield (nominal)"),
        gettext_lazy(
            "Interest, fees and penalties on loans (annualised) ÷ average gross loan portfolio"
        ),
    ),
    "portfolio_yield_real": (
        gettext_lazy("Portfolio yield (real)"),
        gettext_lazy("(Nominal yield − inflation rate) ÷ (1 + inflation rate)"),
    ),
    "operating_expense_ratio": (
        gettext_lazy("Operating expense ratio"),
        gettext_lazy("Operating expense (annualised) ÷ average gross loan portfolio"),
    ),
    "cost_per_borrower": (
        gettext_lazy("Cost per borrower"),
        gettext_lazy("Operating expense (annualised) ÷ average number of active borrowers"),
    ),
    "borrowers_per_loan_officer": (
        gettext_lazy("Borrowers per loan officer"),
        gettext_lazy("Number of active borrowers ÷ number of loan officers"),
    ),
    "average_loan_balance": (
        gettext_lazy("Average loan balance per borrower"),
        gettext_lazy("Gross loan portfolio ÷ number of active borrowers"),
    ),
    "collection_rate": (
        gettext_lazy("Collection rate"),
        gettext_lazy(
            "Amount received on what fell due in the period ÷ amount that fell due "
            "(prepayments and collections of past arrears left out)"
        ),
    ),
}

COLLECTION_RATE_CAVEAT = gettext_lazy(
    "The collection rate is not a measure of portfolio quality: it compares the period's "
    "cash received with what fell due in the same period, so it says nothing about the "
    "loans already in arrears. A loan that stopped paying months ago no longer has anything "
    "falling due and drops out of it, and a fast-growing portfolio, where most instalments "
    "are not yet due, keeps it high. A collection rate of 95 percent on short loans can go with "
    "losing a large share of the portfolio each year (CGAP Occasional Paper 3, 1999). Read "
    "PAR30 and the write-off ratio for portfolio quality."
)


def indicator_value(indicator, currency: str):
    if indicator.kind == "amount":
        return money(indicator.value, currency)
    if indicator.kind == "count":
        return Num(indicator.value, 1)
    return Pct(indicator.value)


def indicators_table(report) -> Table:
    table = Table(
        _("Performance indicators, %(currency)s") % {"currency": report.currency},
        _("%(start)s – %(end)s (%(days)s days; ratios annualised)")
        % {
            "start": report.date_from.strftime("%d/%m/%Y"),
            "end": report.date_to.strftime("%d/%m/%Y"),
            "days": report.days,
        },
        [Column(_("Indicator")), Column(_("Value"), True), Column(_("Formula (SEEP / MIX)"))],
        filename=f"indicateurs-{report.currency}-{report.date_from.isoformat()}-{report.date_to.isoformat()}",
    )
    for i in report.indicators:
        label, formula = INDICATOR_LABELS[i.key]
        text = str(formula)
        if i.key == "portfolio_yield_real":
            text += " — " + _("inflation %(rate)s") % {"rate": Pct(report.inflation)}
        table.rows.append(Row([str(label), indicator_value(i, report.currency), text]))
    table.notes.append(str(COLLECTION_RATE_CAVEAT))
    table.notes.extend(report.notes)
    table.notes.append(
        _(
            "Sources: CGAP/SEEP Microfinance Consensus Guidelines (2003); SEEP Microfinance "
            "Financial Reporting Standards (2010); MicroRate Technical Guide (2014)."
        )
    )
    return table


# --- outreach --------------------------------------------------------------------------------------
def outreach_tables(report) -> list[Table]:
    date = report.on_date.strftime("%d/%m/%Y")
    tables = []
    for title, rows, slug in (
        (_("Traders served by sex"), report.by_sex, "sexe"),
        (_("Traders served by border post"), report.by_border_post, "poste"),
        (_("Traders served by country of trade"), report.by_country, "pays"),
    ):
        t = Table(
            title,
            _("Active borrowers and savers at the end of %(date)s (each person counted once)")
            % {"date": date},
            [
                Column(""),
                Column(_("Borrowers"), True),
                Column(_("Savers"), True),
                Column(_("People served"), True),
            ],
            filename=f"portee-{slug}-{report.on_date.isoformat()}",
        )
        for r in rows:
            t.rows.append(Row([r.label, Num(r.borrowers), Num(r.savers), Num(r.clients)]))
        t.rows.append(
            Row(
                [
                    _("Total"),
                    Num(sum(r.borrowers for r in rows)),
                    Num(sum(r.savers for r in rows)),
                    Num(sum(r.clients for r in rows)),
                ],
                "total",
            )
        )
        tables.append(t)
    loans = Table(
        _("First and repeat loans; loans of women traders"),
        _("Active loans at the end of %(date)s") % {"date": date},
        [
            Column(""),
            Column(_("Loans"), True),
            Column(_("Average outstanding"), True),
            Column(_("Average disbursed this month"), True),
        ],
        filename=f"portee-credits-{report.on_date.isoformat()}",
    )
    loans.rows.append(Row([_("First loans"), Num(report.first_loans), None, None]))
    loans.rows.append(Row([_("Repeat loans"), Num(report.repeat_loans), None, None]))
    for cur, n, avg_out, avg_disb in report.women_average:
        loans.rows.append(
            Row(
                [
                    _("Women traders, %(currency)s") % {"currency": cur},
                    Num(n),
                    money(avg_out, cur),
                    money(avg_disb, cur) if avg_disb else None,
                ]
            )
        )
    tables.append(loans)
    return tables


# --- financial statements and the monthly pack -----------------------------------------------------
def prudential_table(checks, *, on_date, currency: str) -> Table:
    t = Table(
        _("Prudential ratios, %(currency)s") % {"currency": currency},
        _("At the end of %(date)s, against the thresholds of the preset")
        % {"date": on_date.strftime("%d/%m/%Y")},
        [
            Column(_("Ratio")),
            Column(_("Numerator"), True),
            Column(_("Denominator"), True),
            Column(_("Value"), True),
            Column(_("Threshold"), True),
            Column(_("Status")),
        ],
        filename=f"ratios-prudentiels-{currency}-{on_date.isoformat()}",
    )
    from django.utils import translation

    lang = translation.get_language() or "fr"
    for norm, c in checks:
        sign = "≥" if c.comparator == ">=" else "≤"
        threshold = f"{sign} {Pct(c.threshold)}" + (" (" + _("example") + ")" if c.example else "")
        status = _("met") if c.met else (_("not met") if c.met is False else _("not computable"))
        t.rows.append(
            Row(
                [
                    norm.name(lang),
                    money(c.numerator_minor, currency),
                    money(c.denominator_minor, currency),
                    Pct(c.value),
                    threshold,
                    status,
                ]
            )
        )
    if any(c.example for _n, c in checks):
        t.notes.append(
            _(
                "Thresholds marked “example” are not the regulator's: the institution must "
                "enter the official figures under Reports → Prudential norms."
            )
        )
    return t


def overdue_statement_table(statement) -> Table:
    """The statement of overdue loans by the regulator's loan classes (the categories of
    the provisioning bands), with the provision each class requires."""
    cur = statement.currency
    date = statement.on_date.strftime("%d/%m/%Y")
    t = Table(
        _("Statement of overdue loans, %(currency)s") % {"currency": cur},
        _("Loans by class at the end of %(date)s (the classes and rates of the provisioning bands)")
        % {"date": date},
        [
            Column(_("Class")),
            Column(_("Days late")),
            Column(_("Loans"), True),
            Column(_("Principal outstanding"), True),
            Column(_("Share"), True),
            Column(_("Principal overdue"), True),
            Column(_("Amount overdue"), True),
            Column(_("Provision rate")),
            Column(_("Provision required"), True),
        ],
        filename=f"creances-en-souffrance-{cur}-{statement.on_date.isoformat()}",
    )
    whole = statement.total.outstanding_minor

    def row(ln, style=""):
        return Row(
            [
                ln.label,
                ln.days,
                Num(ln.loans),
                money(ln.outstanding_minor, cur),
                Pct(Decimal(ln.outstanding_minor) / whole if whole else None),
                money(ln.principal_overdue_minor, cur) if statement.source == "snapshot" else None,
                money(ln.overdue_minor, cur),
                ", ".join(str(Pct(r)) for r in ln.rates),
                money(ln.provision_minor, cur),
            ],
            style,
        )

    for ln in statement.lines:
        t.rows.append(row(ln))
    t.rows.append(row(statement.in_difficulty, "total"))
    t.rows.append(row(statement.total, "total"))
    t.notes.append(_("* restructured (rescheduled) loans, which have their own bands."))
    t.notes.append(
        _(
            "The classes, day ranges and rates are those of the provisioning bands (End of day → "
            "Provisioning bands); the preset's figures are examples until the accountant enters "
            "the regulator's."
        )
    )
    return t


def exchange_position_table(position) -> Table:
    """The exchange position per currency valued in the base currency at the month-end
    rates, and its unrealised result."""
    base = position.base
    date = position.on_date.strftime("%d/%m/%Y")
    t = Table(
        _("Exchange position, in %(base)s") % {"base": base},
        _("At the end of %(date)s, at that date's closing rates") % {"date": date},
        [
            Column(_("Currency")),
            Column(_("Exchange desk position (long +, short −)"), True),
            Column(_("Balance-sheet position (assets − liabilities)"), True),
            Column(_("Closing rate")),
            Column(_("Desk position in %(base)s") % {"base": base}, True),
            Column(_("Balance-sheet position in %(base)s") % {"base": base}, True),
        ],
        filename=f"position-de-change-{position.on_date.isoformat()}",
    )

    def base_amount(value):
        if value is None:
            return Num(None)
        return money(value.scaleb(Money.zero(base).exponent), base)

    for c in position.currencies:
        rate = (
            f"{c.rate.pair} {Num(c.rate.rate, 4)} ({c.rate.rate_date.strftime('%d/%m/%Y')}"
            + (", " + _("mid rate") if c.rate.source == "mid" else "")
            + ")"
            if c.rate
            else _("no rate")
        )
        t.rows.append(
            Row(
                [
                    c.currency,
                    money(c.desk_long_minor, c.currency),
                    money(c.balance_sheet_minor, c.currency),
                    rate,
                    base_amount(c.desk_in_base),
                    base_amount(c.balance_sheet_in_base),
                ]
            )
        )
    t.rows.append(
        Row(
            [
                _("Counter-value in %(base)s (exchange desk)") % {"base": base},
                None,
                None,
                None,
                money(position.counter_value_minor, base),
                None,
            ]
        )
    )
    t.rows.append(
        Row(
            [
                _("Unrealised exchange result (gain +, loss −)"),
                None,
                None,
                None,
                money(position.unrealised_minor, base),
                None,
            ],
            "total",
        )
    )
    if position.revaluation_minor:
        t.rows.append(
            Row(
                [
                    _("Posted by end of day at this month end"),
                    None,
                    None,
                    None,
                    money(position.revaluation_minor, base),
                    None,
                ]
            )
        )
    if position.missing_rates:
        t.notes.append(
            _("No rate for %(currencies)s: the result cannot be valued (nothing was posted).")
            % {"currencies": ", ".join(position.missing_rates)}
        )
    t.notes.append(
        _(
            "The exchange desk's position is what the position accounts hold (each exchange is "
            "booked at the day's reference rate); valued at the month-end rates, the difference "
            "from its counter-value is the unrealised result, which end of day posts at the last "
            "business date of the month and reverses on the first of the next. The balance-sheet "
            "position (assets less liabilities in the currency) is the institution's whole "
            "exposure, for the regulator's limits; it is reported, not revalued, because each "
            "currency's books stand by themselves."
        )
    )
    t.notes.append(
        _(
            "Closing rate: the reference rate of the last day a rate was set, or the mid rate "
            "(buy + sell) ÷ 2 when none was given."
        )
    )
    return t


def monthly_pack_tables(pack) -> list[Table]:
    from mupaka.ledger.reports import statement_of

    tables = [
        statement_of(pack.statements.balance_sheet),
        statement_of(pack.statements.income_statement),
    ]
    loans = portfolio_tables(pack.loans_by_product, dimension_label=_("product"))
    tables.extend(loans)
    if pack.overdue is not None:
        tables.append(overdue_statement_table(pack.overdue))
    dep = Table(
        _("Breakdown of deposits, %(currency)s") % {"currency": pack.currency},
        _("At the end of %(date)s") % {"date": pack.on_date.strftime("%d/%m/%Y")},
        [Column(_("Account")), Column(_("Name")), Column(pack.currency, True)],
        filename=f"depots-{pack.currency}-{pack.on_date.isoformat()}",
    )
    for number, name, amount in pack.deposits:
        dep.rows.append(Row([number, name, money(amount, pack.currency)]))
    dep.rows.append(
        Row(["", _("Total"), money(sum(a for _n, _m, a in pack.deposits), pack.currency)], "total")
    )
    tables.append(dep)
    tables.append(prudential_table(pack.ratios, on_date=pack.on_date, currency=pack.currency))
    if pack.exchange is not None and pack.exchange.currencies:
        tables.append(exchange_position_table(pack.exchange))
    return tables


# --- renderers -------------------------------------------------------------------------------------
def tables_to_xlsx(tables: list[Table], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in tables or [Table(title, "", [Column("")])]:
        name = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:28] or "Sheet"
        base, n = name, 2
        while name in used:
            name = f"{base[:25]} {n}"
            n += 1
        used.add(name)
        ws = wb.create_sheet(name)
        ws.append([table.title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([table.subtitle])
        ws.append([])
        ws.append([c.label for c in table.columns])
        for cell in ws[4]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values = []
            for v in row.cells:
                if isinstance(v, Money):
                    values.append(v.amount)
                elif isinstance(v, Pct | Num):
                    values.append(v.value)
                else:
                    values.append(v)
            ws.append(values)
            r = ws.max_row
            for index, v in enumerate(row.cells, start=1):
                cell = ws.cell(row=r, column=index)
                if isinstance(v, Money):
                    places = v.exponent
                    cell.number_format = "#,##0" + ("." + "0" * places if places else "")
                    cell.alignment = Alignment(horizontal="right")
                elif isinstance(v, Pct):
                    cell.number_format = "0.00%"
                elif isinstance(v, Num):
                    cell.number_format = "#,##0" + ("." + "0" * v.places if v.places else "")
                if row.style in ("header", "total", "subtotal"):
                    cell.font = Font(bold=True)
        for note in table.notes:
            ws.append([])
            ws.append([note])
        for index, column in enumerate(table.columns, start=1):
            letter = ws.cell(row=4, column=index).column_letter
            ws.column_dimensions[letter].width = (
                18 if column.numeric else (44 if index == 1 else 24)
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def tables_to_pdf(
    tables: list[Table], *, title: str, subtitle: str = "", institution=None, extra_html: str = ""
) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "reports/print.html",
        {
            "tables": tables,
            "title": title,
            "subtitle": subtitle,
            "institution": institution,
            "extra_html": extra_html,
        },
    )
    return HTML(string=html).write_pdf()


def percent_text(value: Decimal | None) -> str:
    p = percent(value)
    return "—" if p is None else f"{p} %"
