"""Reads behind every report. Read-only: nothing here writes.

Where the figures come from:

* **Portfolio** (PAR, ageing, loans by officer, branch, product, border post): the end of
  day's ``cob.PortfolioSnapshot`` rows of the date (a few hundred rows for 100,000 loans),
  or — for the business date itself, whose end of day has not run yet — the loan rows'
  own caches summed by one SQL ``GROUP BY`` (``source == "live"``).
* **Arrears list**: the live loan rows (who to call today), with phones and group leaders.
* **Outreach**: ``cob.OutreachSnapshot`` (each person counted once) and the portfolio rows.
* **Indicators and statements**: the ledger's own selectors (balance sheet, income
  statement), snapshots for average balances, loan transactions for write-offs.

A date after the business date is refused (``future_date``): nothing is known of it yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext as _

from mupaka.core.exceptions import PermissionDenied, ValidationFailed
from mupaka.core.permissions import require_perm
from mupaka.core.roles import Role
from mupaka.core.selectors import institution_get
from mupaka.reports import presets
from mupaka.reports.domain import indicators as ind
from mupaka.reports.domain.par import (
    BUCKET_KEYS,
    BucketTotals,
    PortfolioQuality,
    portfolio_quality,
)
from mupaka.reports.domain.prudential import Norm, RatioCheck, check, sum_accounts

DIMENSIONS = ("branch", "officer", "product", "currency", "sex", "border_post", "country")


# --- dates ----------------------------------------------------------------------------------
def parse_date(value: str | None, *, field: str = "date", default: dt.date | None = None):
    """A report date from a query string (ISO ``2026-11-02`` or ``02/11/2026``), never
    after the business date."""
    business = institution_get().business_date
    if value in (None, ""):
        return default or business
    text = str(value).strip()
    parsed = None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            parsed = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
            break
        except ValueError:
            continue
    if parsed is None:
        raise ValidationFailed(
            _("“%(value)s” is not a date: write it as 2026-11-30 or 30/11/2026.") % {"value": text},
            field=field,
            code="invalid_date",
        )
    if parsed > business:
        raise ValidationFailed(
            _(
                "Reports cannot be drawn for %(date)s: it is after the business date "
                "(%(business)s), and nothing is known of it yet."
            )
            % {"date": parsed.strftime("%d/%m/%Y"), "business": business.strftime("%d/%m/%Y")},
            field=field,
            code="future_date",
        )
    return parsed


def parse_inflation(value: str | None) -> Decimal | None:
    """An inflation rate entered in percent ("12.5", "12,5 %") as a fraction; None if empty."""
    from decimal import InvalidOperation

    if value in (None, ""):
        return None
    try:
        rate = Decimal(str(value).replace(",", ".").replace("%", "").strip()) / 100
    except InvalidOperation:
        raise ValidationFailed(
            _("Enter inflation as a percentage, e.g. 12.5."), field="inflation", code="invalid"
        )
    if rate <= -1:
        raise ValidationFailed(
            _("Inflation must be above -100 %."), field="inflation", code="invalid"
        )
    return rate


# --- filters and who sees what ----------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    branch_id: int | None = None
    officer_id: int | None = None
    product_id: int | None = None
    currency: str | None = None
    sex: str | None = None
    border_post_id: int | None = None

    def as_query(self) -> dict[str, str]:
        names = {
            "branch_id": "branch",
            "officer_id": "officer",
            "product_id": "product",
            "currency": "currency",
            "sex": "sex",
            "border_post_id": "border_post",
        }
        return {names[k]: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


def _int(params, name: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(_("Choose a value from the list."), field=name, code="invalid")


def filters_from(params) -> Filters:
    sex = (params.get("sex") or "").strip().upper() or None
    if sex not in (None, "F", "M"):
        raise ValidationFailed(_("Sex is F or M."), field="sex", code="invalid")
    currency = (params.get("currency") or "").strip().upper() or None
    if currency is not None and (len(currency) != 3 or not currency.isalpha()):
        raise ValidationFailed(
            _("A currency is a three-letter code such as USD."), field="currency", code="invalid"
        )
    return Filters(
        branch_id=_int(params, "branch"),
        officer_id=_int(params, "officer"),
        product_id=_int(params, "product"),
        currency=currency,
        sex=sex,
        border_post_id=_int(params, "border_post"),
    )


def scoped(user, filters: Filters) -> Filters:
    """The filters a user may apply: her branch unless she sees all branches, her own
    loans if she is a loan officer."""
    if not user.sees_all_branches:
        if filters.branch_id not in (None, user.branch_id):
            raise PermissionDenied(_("This record belongs to another branch."))
        filters = replace(filters, branch_id=user.branch_id or -1)
    if user.role == Role.LOAN_OFFICER:
        if filters.officer_id not in (None, user.pk):
            raise PermissionDenied(_("A loan officer sees her own portfolio only."))
        filters = replace(filters, officer_id=user.pk)
    return filters


# --- labels of dimension values --------------------------------------------------------------
def dimension_labels(dimension: str, ids) -> dict:
    from mupaka.core.models import Branch, User
    from mupaka.loans.models import LoanProduct
    from mupaka.members.models import BorderPost

    ids = [i for i in ids if i is not None]
    if dimension == "branch":
        return {b.pk: f"{b.code} · {b.name}" for b in Branch.objects.filter(pk__in=ids)}
    if dimension == "officer":
        return {u.pk: (u.get_full_name() or u.username) for u in User.objects.filter(pk__in=ids)}
    if dimension == "product":
        return {p.pk: f"{p.code} · {p.name}" for p in LoanProduct.objects.filter(pk__in=ids)}
    if dimension == "border_post":
        return {b.pk: b.name for b in BorderPost.objects.filter(pk__in=ids)}
    if dimension == "sex":
        return {"F": _("Women"), "M": _("Men")}
    if dimension == "country":
        from mupaka.members.models import BorderCountry

        return dict(BorderCountry.choices)
    return {i: str(i) for i in ids}


def border_post_countries() -> dict[int, str]:
    """Border post id → the country on the other side (the trader's country of trade)."""
    from mupaka.members.models import BorderPost

    return dict(BorderPost.objects.values_list("id", "other_country"))


# --- portfolio sources ------------------------------------------------------------------------
BUCKET_INDEX = dict(enumerate(BUCKET_KEYS))


@dataclass
class Slice:
    """One row of a breakdown: a dimension value and its bucket totals."""

    key: object
    label: str
    totals: list[BucketTotals] = field(default_factory=list)
    borrowers: int = 0
    first_loans: int = 0
    disbursed_count: int = 0
    disbursed_minor: int = 0

    @property
    def quality(self) -> PortfolioQuality:
        return portfolio_quality(self.totals)


@dataclass
class CurrencyPortfolio:
    currency: str
    quality: PortfolioQuality
    borrowers: int
    first_loans: int
    slices: list[Slice]


@dataclass
class PortfolioReport:
    on_date: dt.date
    source: str  # "snapshot" | "live"
    filters: Filters
    group_by: str | None
    currencies: list[CurrencyPortfolio]
    read_date: dt.date | None = None  # the closed date whose snapshot was read


def _snapshot_exists(on_date: dt.date) -> bool:
    from mupaka.cob.models import PortfolioSnapshot

    return PortfolioSnapshot.objects.filter(business_date=on_date).exists()


def _snapshot_rows(on_date: dt.date, filters: Filters, group_by: str | None):
    from mupaka.cob.models import PortfolioSnapshot

    qs = PortfolioSnapshot.objects.filter(business_date=on_date)
    qs = _apply(qs, filters, officer="officer_id", product="product_id", post="border_post_id")
    dim = {
        "branch": "branch_id",
        "officer": "officer_id",
        "product": "product_id",
        "currency": "currency",
        "sex": "sex",
        "border_post": "border_post_id",
        "country": "border_post_id",
        None: None,
    }[group_by]
    values = ["currency", "bucket", "restructured"] + ([dim] if dim and dim != "currency" else [])
    rows = qs.values(*values).annotate(
        n=Sum("loan_count"),
        out=Sum("principal_outstanding_minor"),
        over=Sum("overdue_minor"),
        borrowers=Sum("borrower_count"),
        first=Sum("first_loan_count"),
        dn=Sum("disbursed_count"),
        dm=Sum("disbursed_minor"),
    )
    for r in rows:
        yield (
            r["currency"],
            r.get(dim) if dim else None,
            int(r["bucket"]),
            bool(r["restructured"]),
            int(r["n"] or 0),
            int(r["out"] or 0),
            int(r["over"] or 0),
            int(r["borrowers"] or 0),
            int(r["first"] or 0),
            int(r["dn"] or 0),
            int(r["dm"] or 0),
        )


def _apply(qs, filters: Filters, *, officer: str, product: str, post: str):
    if filters.branch_id is not None:
        qs = qs.filter(branch_id=filters.branch_id)
    if filters.officer_id is not None:
        qs = qs.filter(**{officer: filters.officer_id})
    if filters.product_id is not None:
        qs = qs.filter(**{product: filters.product_id})
    if filters.currency:
        qs = qs.filter(currency=filters.currency)
    if filters.sex:
        qs = qs.filter(
            **({"sex": filters.sex} if post == "border_post_id" else {"member__sex": filters.sex})
        )
    if filters.border_post_id is not None:
        if post == "post" and "post" not in qs.query.annotations:
            qs = qs.annotate(post=primary_border_post_subquery())
        qs = qs.filter(**{post: filters.border_post_id})
    return qs


def _live_bucket_case():
    whens = [
        When(days_past_due__lte=0, then=Value(0)),
        When(days_past_due__lte=30, then=Value(1)),
        When(days_past_due__lte=60, then=Value(2)),
        When(days_past_due__lte=90, then=Value(3)),
        When(days_past_due__lte=180, then=Value(4)),
        When(days_past_due__lte=360, then=Value(5)),
    ]
    return Case(*whens, default=Value(6), output_field=IntegerField())


def primary_border_post_subquery(member_ref: str = "member"):
    """The border post a member is counted under: the first of hers by id (one post per
    person, so sums over posts count every loan once)."""
    from mupaka.members.models import TraderProfile

    through = TraderProfile.border_posts.through
    return Subquery(
        through.objects.filter(traderprofile__member_id=OuterRef(f"{member_ref}_id"))
        .order_by("borderpost_id")
        .values("borderpost_id")[:1]
    )


def _live_rows(filters: Filters, group_by: str | None):
    from mupaka.loans.models import Loan, LoanStatus

    qs = Loan.objects.filter(status=LoanStatus.ACTIVE)
    needs_post = filters.border_post_id is not None or group_by in ("border_post", "country")
    if needs_post:
        qs = qs.annotate(post=primary_border_post_subquery())
    qs = _apply(qs, filters, officer="officer_id", product="product_id", post="post")
    dim = {
        "branch": "branch_id",
        "officer": "officer_id",
        "product": "product_id",
        "currency": "currency",
        "sex": "member__sex",
        "border_post": "post",
        "country": "post",
        None: None,
    }[group_by]
    values = ["currency", "bucket", "restructured"] + ([dim] if dim and dim != "currency" else [])
    rows = (
        qs.annotate(bucket=_live_bucket_case())
        .values(*values)
        .annotate(
            n=Count("id"),
            out=Sum("principal_outstanding_minor"),
            over=Sum("overdue_minor"),
            borrowers=Count("member_id", distinct=True),
        )
        .order_by()
    )
    for r in rows:
        yield (
            r["currency"],
            r.get(dim) if dim else None,
            int(r["bucket"]),
            bool(r["restructured"]),
            int(r["n"] or 0),
            int(r["out"] or 0),
            int(r["over"] or 0),
            int(r["borrowers"] or 0),
            0,
            0,
            0,
        )


SNAPSHOT_REACH = dt.timedelta(days=7)


def effective_dates(dates) -> dict[dt.date, dt.date]:
    """For each date, the closed business date whose snapshot stands for it: the date
    itself, or the last one closed before it within a week (a Sunday or a holiday is read
    from the working day before it). Dates without one are left out."""
    from mupaka.cob.models import PortfolioSnapshot

    dates = list(dates)
    if not dates:
        return {}
    closed = sorted(
        set(
            PortfolioSnapshot.objects.filter(
                business_date__gte=min(dates) - SNAPSHOT_REACH, business_date__lte=max(dates)
            )
            .values_list("business_date", flat=True)
            .distinct()
        )
    )
    out = {}
    for d in dates:
        earlier = [c for c in closed if d - SNAPSHOT_REACH < c <= d]
        if earlier:
            out[d] = earlier[-1]
    return out


def portfolio_source(on_date: dt.date) -> tuple[str, dt.date]:
    """("snapshot", closed date standing for ``on_date``) or ("live", business date)."""
    business = institution_get().business_date
    found = effective_dates([on_date]).get(on_date)
    if found == on_date or (found is not None and on_date != business):
        return "snapshot", found
    if on_date == business:
        return "live", on_date
    raise ValidationFailed(
        _(
            "There is no portfolio snapshot for %(date)s: end of day had not run for that "
            "date. Choose another date."
        )
        % {"date": on_date.strftime("%d/%m/%Y")},
        field="date",
        code="no_snapshot",
    )


def portfolio_report(
    *, user, on_date: dt.date, filters: Filters, group_by: str | None = None
) -> PortfolioReport:
    """PAR1/30/90, ageing and counts per currency, optionally broken down by a dimension."""
    require_perm(user, "reports.portfolio.view")
    if group_by not in (None, *DIMENSIONS):
        raise ValidationFailed(_("Unknown breakdown."), field="by", code="invalid")
    filters = scoped(user, filters)
    source, read_date = portfolio_source(on_date)
    rows = (
        _snapshot_rows(read_date, filters, group_by)
        if source == "snapshot"
        else _live_rows(filters, group_by)
    )
    countries = border_post_countries() if group_by == "country" else {}
    by_currency: dict[str, dict[object, Slice]] = defaultdict(dict)
    for cur, key, bucket, restructured, n, out, over, borrowers, first, dn, dm in rows:
        if group_by == "country":
            key = countries.get(key)
        elif group_by == "currency":
            key = cur
        slices = by_currency[cur]
        s = slices.get(key)
        if s is None:
            s = slices[key] = Slice(key, "")
        s.totals.append(
            BucketTotals(
                BUCKET_INDEX[bucket],
                n,
                out,
                n if restructured else 0,
                out if restructured else 0,
                over,
            )
        )
        s.borrowers += borrowers
        s.first_loans += first
        s.disbursed_count += dn
        s.disbursed_minor += dm
    labels = {}
    if group_by:
        all_keys = {k for slices in by_currency.values() for k in slices}
        labels = dimension_labels(group_by, all_keys)
    result = []
    for cur in sorted(by_currency):
        slices = list(by_currency[cur].values())
        for s in slices:
            s.label = str(labels.get(s.key, s.key)) if s.key is not None else _("Not recorded")
        slices.sort(key=lambda s: s.label)
        totals = [t for s in slices for t in s.totals]
        result.append(
            CurrencyPortfolio(
                currency=cur,
                quality=portfolio_quality(totals),
                borrowers=sum(s.borrowers for s in slices),
                first_loans=sum(s.first_loans for s in slices),
                slices=slices if group_by else [],
            )
        )
    return PortfolioReport(on_date, source, filters, group_by, result, read_date)


# --- arrears list --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArrearsLine:
    loan_id: int
    loan_number: str
    member_number: str
    member_name: str
    phone: str
    sex: str
    group_name: str
    leader_name: str
    leader_phone: str
    officer: str
    product: str
    currency: str
    days_past_due: int
    overdue_minor: int
    principal_outstanding_minor: int
    next_due_date: dt.date | None
    next_due_minor: int
    restructured: bool


def arrears_list(*, user, filters: Filters, min_days: int = 1, limit: int | None = None):
    """Active loans late ``min_days`` or more, most late first: who to call, her phone,
    what she owes now; for a group loan share, the group and its leader's phone."""
    from mupaka.core.selectors import business_date_get
    from mupaka.loans.selectors import late_loans

    require_perm(user, "reports.arrears.view")
    filters = scoped(user, filters)
    # counted as of the business date, like the loans' own arrears list and her loan page
    # (not from the caches of the last end of day)
    qs = late_loans(on_date=business_date_get(), min_days=min_days)
    if filters.border_post_id is not None:
        qs = qs.annotate(post=primary_border_post_subquery())
    qs = _apply(qs, filters, officer="officer_id", product="product_id", post="post")
    qs = qs.select_related(
        "member", "product", "officer", "group_loan__group", "group_loan__leader"
    ).order_by("next_due_date", "-overdue_now_minor", "pk")
    if limit:
        qs = qs[:limit]
    lines = []
    for loan in qs:
        group = loan.group_loan.group if loan.group_loan_id else None
        leader = loan.group_loan.leader if loan.group_loan_id else None
        m = loan.member
        lines.append(
            ArrearsLine(
                loan_id=loan.pk,
                loan_number=loan.number,
                member_number=m.number,
                member_name=m.full_name,
                phone=m.phone,
                sex=m.sex,
                group_name=group.name if group else "",
                leader_name=leader.full_name if leader and leader.pk != m.pk else "",
                leader_phone=leader.phone if leader and leader.pk != m.pk else "",
                officer=(loan.officer.get_full_name() or loan.officer.username)
                if loan.officer_id
                else "",
                product=loan.product.code,
                currency=loan.currency,
                days_past_due=loan.late_for.days,
                overdue_minor=loan.overdue_now_minor,
                principal_outstanding_minor=loan.principal_outstanding_minor,
                next_due_date=loan.next_due_date,
                next_due_minor=loan.next_due_minor,
                restructured=loan.restructured,
            )
        )
    return lines


# --- ledger figures ---------------------------------------------------------------------------------
def _amounts(fs) -> dict[str, int]:
    """Account number (header or posting, with and without the currency suffix) → amount
    on its natural side, from a ledger FinancialStatement."""
    out: dict[str, int] = {}
    for section in fs.sections:
        for r in section.rows:
            out[r.number] = out.get(r.number, 0) + r.amount_minor
    return out


def _group_amount(amounts: dict[str, int], spec: dict) -> int:
    total = sum_accounts(amounts, list(spec.get("add", [])), list(spec.get("subtract", [])))
    return total * int(spec.get("sign", 1))


def preset_name() -> str:
    preset = institution_get().regulatory_preset or "drc"
    return preset if preset in presets.preset_names() else "drc"


# --- indicators ------------------------------------------------------------------------------------
@dataclass
class IndicatorsReport:
    date_from: dt.date
    date_to: dt.date
    currency: str
    inflation: Decimal
    days: int
    indicators: list[ind.Indicator]
    inputs: dict[str, object]
    notes: list[str]


def _month_ends(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The day before the period and every month end inside it, and its last day."""
    dates = [date_from - dt.timedelta(days=1)]
    d = date_from
    while d <= date_to:
        nxt = (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = nxt - dt.timedelta(days=1)
        if end <= date_to:
            dates.append(end)
        d = nxt
    if dates[-1] != date_to:
        dates.append(date_to)
    return dates


def glp_series(dates, *, currency: str, filters: Filters | None = None) -> dict[dt.date, dict]:
    """Gross loan portfolio, PAR30, borrowers and loans per snapshot date (missing dates
    are left out), the business date from the live rows."""
    from mupaka.cob.models import PortfolioSnapshot

    filters = filters or Filters()
    dates = list(dates)
    business = institution_get().business_date
    standing = effective_dates([d for d in dates if d != business])
    qs = PortfolioSnapshot.objects.filter(
        business_date__in=sorted(set(standing.values())), currency=currency
    )
    qs = _apply(qs, filters, officer="officer_id", product="product_id", post="border_post_id")
    closed: dict[dt.date, dict] = {}
    for r in qs.values("business_date").annotate(
        glp=Sum("principal_outstanding_minor"),
        par30=Sum("par30_minor"),
        borrowers=Sum("borrower_count"),
        loans=Sum("loan_count"),
        disbursed=Sum("disbursed_mtd_minor"),
    ):
        closed[r["business_date"]] = {k: int(v or 0) for k, v in r.items() if k != "business_date"}
    out = {d: closed[c] for d, c in standing.items() if c in closed}
    if business in dates and business not in out:
        from mupaka.loans.models import Loan, LoanStatus

        live = _apply(
            Loan.objects.filter(status=LoanStatus.ACTIVE, currency=currency),
            filters,
            officer="officer_id",
            product="product_id",
            post="post",
        )
        agg = live.aggregate(
            glp=Sum("principal_outstanding_minor"),
            par30=Sum(
                "principal_outstanding_minor", filter=Q(days_past_due__gt=30) | Q(restructured=True)
            ),
            borrowers=Count("member_id", distinct=True),
            loans=Count("id"),
        )
        month = Loan.objects.filter(
            currency=currency,
            disbursed_on__gte=business.replace(day=1),
            disbursed_on__lte=business,
        )
        month = _apply(
            month,
            replace(filters, currency=None),
            officer="officer_id",
            product="product_id",
            post="post",
        )
        agg["disbursed"] = month.aggregate(
            s=Sum(
                Case(
                    When(approved_principal_minor__isnull=False, then="approved_principal_minor"),
                    default="requested_principal_minor",
                )
            )
        )["s"]
        out[business] = {k: int(v or 0) for k, v in agg.items()}
    return out


def indicators_report(
    *,
    user,
    date_from: dt.date,
    date_to: dt.date,
    currency: str | None = None,
    inflation: Decimal | None = None,
    filters: Filters | None = None,
) -> IndicatorsReport:
    from mupaka.core.models import User
    from mupaka.ledger import selectors as ledger
    from mupaka.loans.models import LoanTransaction, TxKind

    require_perm(user, "reports.indicators.view")
    if date_to < date_from:
        raise ValidationFailed(_("The end date is before the start date."), field="to")
    inst = institution_get()
    currency = (currency or inst.base_currency).upper()
    preset = preset_name()
    if inflation is None:
        inflation = presets.inflation_default(preset)
    days = (date_to - date_from).days + 1
    accounts = presets.indicator_accounts(preset)
    income = _amounts(
        ledger.income_statement(date_from=date_from, date_to=date_to, currency=currency)
    )
    balance = _amounts(ledger.balance_sheet(as_of=date_to, currency=currency))

    def led(name: str, amounts: dict[str, int]) -> int:
        return _group_amount(amounts, accounts.get(name, {}))

    fin_rev = led("financial_revenue", income)
    loan_rev = led("loan_revenue", income)
    fin_exp = led("financial_expense", income)
    impairment = led("impairment_loss", income)
    opex = led("operating_expense", income)
    allowance = led("impairment_allowance", balance)

    notes: list[str] = []
    dates = _month_ends(date_from, date_to)
    series = glp_series(dates, currency=currency, filters=filters)
    missing = [d for d in dates if d not in series]
    if missing:
        notes.append(
            _("No portfolio snapshot for %(dates)s: averages use the other dates.")
            % {"dates": ", ".join(d.strftime("%d/%m/%Y") for d in missing)}
        )
    avg_glp = ind.average([v["glp"] for v in series.values()])
    avg_borrowers = ind.average([v["borrowers"] for v in series.values()])
    at_end = series.get(date_to, {"glp": 0, "par30": 0, "borrowers": 0, "loans": 0})

    written_off = int(
        LoanTransaction.objects.filter(
            kind=TxKind.WRITE_OFF,
            reversed=False,
            currency=currency,
            on_date__gte=date_from,
            on_date__lte=date_to,
        ).aggregate(s=Sum("principal_minor"))["s"]
        or 0
    )
    officers = User.objects.filter(role=Role.LOAN_OFFICER, is_active=True)
    if not user.sees_all_branches:
        officers = officers.filter(branch_id=user.branch_id)
    officer_count = officers.count()

    nominal = ind.portfolio_yield_nominal(loan_revenue=loan_rev, average_glp=avg_glp, days=days)
    result = [
        ind.write_off_ratio(written_off=written_off, average_glp=avg_glp, days=days),
        ind.risk_coverage_ratio(allowance=allowance, par30=at_end["par30"]),
        ind.operational_self_sufficiency(
            financial_revenue=fin_rev,
            financial_expense=fin_exp,
            impairment_loss=impairment,
            operating_expense=opex,
        ),
        nominal,
        ind.portfolio_yield_real(nominal=nominal.value, inflation=inflation),
        ind.operating_expense_ratio(operating_expense=opex, average_glp=avg_glp, days=days),
        ind.cost_per_borrower(operating_expense=opex, average_borrowers=avg_borrowers, days=days),
        ind.borrowers_per_loan_officer(
            active_borrowers=at_end["borrowers"], loan_officers=officer_count
        ),
        ind.average_loan_balance(glp=at_end["glp"], active_borrowers=at_end["borrowers"]),
        collection_rate(date_from=date_from, date_to=date_to, currency=currency, filters=filters),
    ]
    business = inst.business_date
    if collection_source(date_from, date_to) == "live" and date_to < business:
        notes.append(
            _(
                "Collection rate: end of day has not recorded every day of this period, so it "
                "is worked out from the schedules as they stand today (a payment made after "
                "the period on an instalment that fell due in it is counted too)."
            )
        )
    inputs = {
        "financial_revenue": fin_rev,
        "loan_revenue": loan_rev,
        "financial_expense": fin_exp,
        "impairment_loss": impairment,
        "operating_expense": opex,
        "impairment_allowance": allowance,
        "written_off": written_off,
        "average_glp": avg_glp,
        "average_borrowers": avg_borrowers,
        "glp": at_end["glp"],
        "par30": at_end["par30"],
        "active_borrowers": at_end["borrowers"],
        "loan_officers": officer_count,
    }
    return IndicatorsReport(date_from, date_to, currency, inflation, days, result, inputs, notes)


def collection_source(date_from: dt.date, date_to: dt.date) -> str:
    """ "exact" when end of day recorded every day of the period (``CollectionSnapshot``,
    from the day tracking began), else "live" (the schedules' caches: exact when the
    period ends on the business date, approximate for an older period)."""
    from mupaka.cob.models import CollectionState

    state = CollectionState.objects.filter(pk=1).first()
    if (
        state is not None
        and state.tracked_from is not None
        and state.last_date is not None
        and state.tracked_from <= date_from
        and date_to <= state.last_date
    ):
        return "exact"
    return "live"


def _collection_exact(
    *, date_from: dt.date, date_to: dt.date, currency: str, filters: Filters
) -> ind.Indicator:
    """From end of day's daily rows: received during the period on what fell due in it ÷
    (what fell due in it − what had been prepaid on it before the period)."""
    from django.db.models import F

    from mupaka.cob.models import CollectionSnapshot

    qs = CollectionSnapshot.objects.filter(
        currency=currency, due_date__gte=date_from, due_date__lte=date_to
    )
    qs = _apply(qs, filters, officer="officer_id", product="product_id", post="border_post_id")
    totals = qs.aggregate(
        due=Sum("due_minor", filter=Q(business_date=F("due_date"))),
        prepaid=Sum("collected_minor", filter=Q(business_date__lt=date_from)),
        received=Sum(
            "collected_minor",
            filter=Q(business_date__gte=date_from, business_date__lte=date_to),
        ),
    )
    due = int(totals["due"] or 0) - int(totals["prepaid"] or 0)
    received = int(totals["received"] or 0)
    return ind.Indicator(
        "collection_rate",
        (Decimal(received) / Decimal(due)) if due else None,
        Decimal(received),
        Decimal(due),
    )


def collection_rate(
    *, date_from: dt.date, date_to: dt.date, currency: str, filters: Filters | None = None
) -> ind.Indicator:
    """Collection rate of the instalments falling due in the period. Exact from end of
    day's daily rows when they cover the period (:func:`collection_source`). Otherwise
    from the schedule rows' caches: an instalment completed before the period was prepaid
    (left out); one completed inside it was collected in full; one still open counts what
    has been paid of it so far (exact when the period ends on the business date; for a
    past period a payment made after its end is counted too — noted on the page)."""
    from django.db.models import F

    from mupaka.loans.models import LoanInstallment, LoanStatus

    filters = filters or Filters()
    if collection_source(date_from, date_to) == "exact":
        return _collection_exact(
            date_from=date_from, date_to=date_to, currency=currency, filters=filters
        )
    qs = LoanInstallment.objects.filter(
        due_date__gte=date_from,
        due_date__lte=date_to,
        loan__currency=currency,
        loan__status__in=[LoanStatus.ACTIVE, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF],
        version=F("loan__schedule_version"),
    )
    if filters.branch_id is not None:
        qs = qs.filter(loan__branch_id=filters.branch_id)
    if filters.officer_id is not None:
        qs = qs.filter(loan__officer_id=filters.officer_id)
    if filters.product_id is not None:
        qs = qs.filter(loan__product_id=filters.product_id)
    if filters.sex:
        qs = qs.filter(loan__member__sex=filters.sex)
    rows = qs.annotate(
        due=F("principal_minor") + F("interest_minor") + F("fees_minor"),
        paid=F("principal_minor")
        + F("interest_minor")
        + F("fees_minor")
        + F("penalties_minor")
        - F("outstanding_minor"),
    ).values_list("due", "paid", "completed_on")
    items = []
    for due, paid, completed in rows:
        due = int(due or 0)
        if completed is not None and completed < date_from:
            items.append(ind.Instalment(due, paid_before_minor=due))
        elif completed is not None and completed <= date_to:
            items.append(ind.Instalment(due, paid_in_period_minor=due))
        elif completed is not None:
            items.append(ind.Instalment(due))
        else:
            items.append(ind.Instalment(due, paid_in_period_minor=max(int(paid or 0), 0)))
    return ind.collection_rate(items)


# --- outreach ------------------------------------------------------------------------------------
@dataclass
class OutreachRow:
    key: object
    label: str
    borrowers: int = 0
    savers: int = 0
    clients: int = 0


@dataclass
class OutreachReport:
    on_date: dt.date
    source: str
    by_sex: list[OutreachRow]
    by_border_post: list[OutreachRow]
    by_country: list[OutreachRow]
    first_loans: int
    repeat_loans: int
    women_average: list[
        tuple[str, int, int, int]
    ]  # currency, loans, avg outstanding, avg disbursed


def _outreach_people(on_date: dt.date, filters: Filters, source: str):
    """(sex, border post, borrowers, savers, clients) rows, each person once."""
    if source == "snapshot":
        from mupaka.cob.models import OutreachSnapshot

        qs = OutreachSnapshot.objects.filter(business_date=on_date)
        if filters.branch_id is not None:
            qs = qs.filter(branch_id=filters.branch_id)
        if filters.sex:
            qs = qs.filter(sex=filters.sex)
        if filters.border_post_id is not None:
            qs = qs.filter(border_post_id=filters.border_post_id)
        for r in qs.values("sex", "border_post_id").annotate(
            b=Sum("borrowers"), s=Sum("savers"), c=Sum("clients_served")
        ):
            yield (
                r["sex"],
                r["border_post_id"],
                int(r["b"] or 0),
                int(r["s"] or 0),
                int(r["c"] or 0),
            )
        return
    from django.db.models import Exists

    from mupaka.loans.models import Loan, LoanStatus
    from mupaka.members.models import Member
    from mupaka.savings.models import AccountStatus, SavingsAccount

    members = Member.objects.all()
    if filters.branch_id is not None:
        members = members.filter(branch_id=filters.branch_id)
    if filters.sex:
        members = members.filter(sex=filters.sex)
    members = members.annotate(
        is_borrower=Exists(Loan.objects.filter(member_id=OuterRef("pk"), status=LoanStatus.ACTIVE)),
        is_saver=Exists(
            SavingsAccount.objects.filter(
                member_id=OuterRef("pk"),
                status__in=[AccountStatus.ACTIVE, AccountStatus.DORMANT, AccountStatus.BLOCKED],
                balance_minor__gt=0,
            )
        ),
        post=_member_post_subquery(),
    ).filter(Q(is_borrower=True) | Q(is_saver=True))
    if filters.border_post_id is not None:
        members = members.filter(post=filters.border_post_id)
    rows = (
        members.values("sex", "post")
        .annotate(
            b=Count("id", filter=Q(is_borrower=True)),
            s=Count("id", filter=Q(is_saver=True)),
            c=Count("id"),
        )
        .order_by()
    )
    for r in rows:
        yield r["sex"], r["post"], int(r["b"]), int(r["s"]), int(r["c"])


def _member_post_subquery():
    from mupaka.members.models import TraderProfile

    through = TraderProfile.border_posts.through
    return Subquery(
        through.objects.filter(traderprofile__member_id=OuterRef("pk"))
        .order_by("borderpost_id")
        .values("borderpost_id")[:1]
    )


def outreach_report(*, user, on_date: dt.date, filters: Filters) -> OutreachReport:
    """Traders served: borrowers and savers by sex, border post and country of trade,
    first and repeat loans, the average loan of women traders."""
    require_perm(user, "reports.outreach.view")
    filters = scoped(user, filters)
    source, read_date = portfolio_source(on_date)
    countries = border_post_countries()
    sexes: dict[object, OutreachRow] = {}
    posts: dict[object, OutreachRow] = {}
    by_country: dict[object, OutreachRow] = {}
    for sex, post, b, s, c in _outreach_people(read_date, filters, source):
        for table, key in ((sexes, sex), (posts, post), (by_country, countries.get(post))):
            row = table.setdefault(key, OutreachRow(key, ""))
            row.borrowers += b
            row.savers += s
            row.clients += c
    for dim, table in (("sex", sexes), ("border_post", posts), ("country", by_country)):
        labels = dimension_labels(dim, list(table))
        for row in table.values():
            row.label = str(labels.get(row.key, row.key)) if row.key else _("Not recorded")

    portfolio = portfolio_report(user=user, on_date=on_date, filters=filters, group_by="sex")
    loans = sum(c.quality.loans for c in portfolio.currencies)
    if source == "snapshot":
        first = sum(c.first_loans for c in portfolio.currencies)
    else:
        first = _live_first_loans(filters)
    women = []
    for c in portfolio.currencies:
        for s in c.slices:
            if s.key == "F" and s.quality.loans:
                avg_out = s.quality.gross_loan_portfolio_minor // s.quality.loans
                avg_disbursed = _women_average_disbursed(read_date, c.currency, filters, source)
                women.append((c.currency, s.quality.loans, avg_out, avg_disbursed))
    return OutreachReport(
        on_date=on_date,
        source=source,
        by_sex=sorted(sexes.values(), key=lambda r: r.label),
        by_border_post=sorted(posts.values(), key=lambda r: r.label),
        by_country=sorted(by_country.values(), key=lambda r: r.label),
        first_loans=first,
        repeat_loans=loans - first,
        women_average=women,
    )


def _live_first_loans(filters: Filters) -> int:
    from django.db.models import Exists

    from mupaka.loans.models import Loan, LoanStatus

    earlier = Loan.objects.filter(
        member_id=OuterRef("member_id"),
        disbursed_on__isnull=False,
        pk__lt=OuterRef("pk"),
    )
    qs = Loan.objects.filter(status=LoanStatus.ACTIVE)
    if filters.border_post_id is not None:
        qs = qs.annotate(post=primary_border_post_subquery())
    qs = _apply(qs, filters, officer="officer_id", product="product_id", post="post")
    return qs.annotate(repeat=Exists(earlier)).filter(repeat=False).count()


def _women_average_disbursed(on_date, currency: str, filters: Filters, source: str) -> int:
    """Average amount of the loans disbursed to women in the month to date."""
    if source == "snapshot":
        from mupaka.cob.models import PortfolioSnapshot

        qs = PortfolioSnapshot.objects.filter(business_date=on_date, currency=currency, sex="F")
        qs = _apply(qs, filters, officer="officer_id", product="product_id", post="border_post_id")
        agg = qs.aggregate(n=Sum("disbursed_mtd_count"), m=Sum("disbursed_mtd_minor"))
    else:
        from mupaka.loans.models import Loan

        qs = Loan.objects.filter(
            currency=currency,
            member__sex="F",
            disbursed_on__gte=on_date.replace(day=1),
            disbursed_on__lte=on_date,
        )
        if filters.border_post_id is not None:
            qs = qs.annotate(post=primary_border_post_subquery())
        qs = _apply(
            qs, replace(filters, sex=None), officer="officer_id", product="product_id", post="post"
        )
        agg = qs.aggregate(
            n=Count("id"),
            m=Sum(
                Case(
                    When(approved_principal_minor__isnull=False, then="approved_principal_minor"),
                    default="requested_principal_minor",
                )
            ),
        )
    n = int(agg["n"] or 0)
    return int(agg["m"] or 0) // n if n else 0


# --- financial statements and the central bank's monthly pack --------------------------------------
@dataclass
class FinancialStatements:
    on_date: dt.date
    currency: str
    balance_sheet: object  # ledger FinancialStatement
    income_statement: object


def financial_statements(*, user, on_date: dt.date, currency: str | None = None):
    """The ledger's balance sheet at the end of ``on_date`` and its income statement from
    1 January of that year (the ledger's own selectors; nothing is recomputed here)."""
    from mupaka.ledger import selectors as ledger

    require_perm(user, "reports.financial.view")
    inst = institution_get()
    currency = (currency or inst.base_currency).upper()
    if currency not in inst.accepted_currencies:
        raise ValidationFailed(
            _("%(currency)s is not a currency of the institution.") % {"currency": currency},
            field="currency",
            code="invalid",
        )
    return FinancialStatements(
        on_date,
        currency,
        ledger.balance_sheet(as_of=on_date, currency=currency),
        ledger.income_statement(
            date_from=on_date.replace(month=1, day=1), date_to=on_date, currency=currency
        ),
    )


def largest_member_exposure(*, on_date: dt.date, currency: str) -> tuple[int | None, int]:
    """The member who owes the most principal at the end of ``on_date`` (from the loan
    portfolio accounts' journal lines, which carry her id) and how much."""
    from mupaka.ledger.models import JournalLine
    from mupaka.ledger.selectors import account_for

    accounts = []
    for role in ("loan_portfolio", "loan_portfolio_arrears"):
        try:
            accounts.append(account_for(role, currency).pk)
        except ValidationFailed:
            continue
    if not accounts:
        return None, 0
    row = (
        JournalLine.objects.filter(
            account_id__in=accounts,
            currency=currency,
            business_date__lte=on_date,
            member_id__isnull=False,
        )
        .values("member_id")
        .annotate(net=Sum("debit_minor") - Sum("credit_minor"))
        .order_by("-net")
        .first()
    )
    if not row:
        return None, 0
    return row["member_id"], int(row["net"] or 0)


def prudential_checks(
    *, on_date: dt.date, currency: str, fs=None
) -> list[tuple[object, RatioCheck]]:
    """Every norm of the institution's preset, computed on the balance sheet of ``on_date``."""
    from mupaka.ledger import selectors as ledger
    from mupaka.reports.models import PrudentialNorm

    fs = fs or ledger.balance_sheet(as_of=on_date, currency=currency)
    amounts = _amounts(fs)
    amounts["assets"] = next((s.total_minor for s in fs.sections if s.key == "assets"), 0)
    amounts["result"] = fs.result_minor
    needs_member = any(
        "largest_member_exposure" in (n.numerator.get("add", []) + n.denominator.get("add", []))
        for n in PrudentialNorm.objects.filter(preset=preset_name())
    )
    if needs_member:
        amounts["largest_member_exposure"] = largest_member_exposure(
            on_date=on_date, currency=currency
        )[1]
    out = []
    for norm in PrudentialNorm.objects.filter(preset=preset_name()):
        rule = Norm(norm.key, norm.comparator, Decimal(norm.threshold), norm.is_example)
        out.append(
            (
                norm,
                check(
                    rule,
                    numerator_minor=_group_amount(amounts, norm.numerator),
                    denominator_minor=_group_amount(amounts, norm.denominator),
                ),
            )
        )
    return out


# --- the statement of overdue loans by the regulator's loan classes --------------------------------
CLASS_LABELS = {
    "sound": lambda: _("Sound loans"),
    "rescheduled": lambda: _("Rescheduled loans"),
    "unpaid": lambda: _("Unpaid loans"),
    "doubtful": lambda: _("Doubtful loans"),
    "litigious": lambda: _("Litigious loans"),
    "irrecoverable": lambda: _("Irrecoverable loans"),
}


@dataclass
class ClassLine:
    key: str
    label: str
    days: str  # the day ranges of its bands ("31–90", "≥ 181", restructured marked)
    rates: list[Decimal]  # the provision rates of its bands, as fractions (0.25, 0.5)
    loans: int = 0
    outstanding_minor: int = 0
    principal_overdue_minor: int = 0
    overdue_minor: int = 0
    provision_minor: int = 0


@dataclass
class OverdueStatement:
    on_date: dt.date
    currency: str
    source: str  # "snapshot" | "live"
    lines: list[ClassLine]
    in_difficulty: ClassLine
    total: ClassLine


def _class_lines() -> list[ClassLine]:
    """The classes of the provisioning bands in the regulator's order: sound loans, then
    rescheduled loans, then the others as the bands go (days late)."""
    from django.utils import translation

    from mupaka.cob.selectors import band_list

    lang = translation.get_language() or "fr"
    bands = band_list()
    order: dict[str, int] = {}
    days: dict[str, list[str]] = defaultdict(list)
    rates: dict[str, list[Decimal]] = defaultdict(list)
    labels: dict[str, str] = {}
    for i, b in enumerate(bands):
        key = b.category or "?"
        order.setdefault(
            key,
            0
            if key in ("sound", "normal")
            else 1
            if key in ("rescheduled", "restructured")
            else 2 + i,
        )
        span = f"{b.min_days}–{b.max_days}" if b.max_days is not None else f"≥ {b.min_days}"
        if b.restructured:
            span += " *"
        days[key].append(span)
        rate = Decimal(b.rate_ppm) / Decimal(1_000_000)
        if rate not in rates[key]:
            rates[key].append(rate)
        labels.setdefault(key, b.label_en if lang.startswith("en") else b.label_fr)
    return [
        ClassLine(
            key,
            CLASS_LABELS[key]() if key in CLASS_LABELS else labels[key],
            ", ".join(days[key]),
            rates[key],
        )
        for key in sorted(order, key=lambda k: order[k])
    ]


def overdue_statement(*, user, on_date: dt.date, currency: str) -> OverdueStatement:
    """Loans by the regulator's classes (the categories of end of day's provisioning
    bands: in the DRC sound, rescheduled, unpaid, doubtful, litigious, irrecoverable):
    count, principal outstanding, overdue amounts and the provision the bands require.
    From the snapshot of the date, or the loans as they stand for the business date."""
    from mupaka.cob.models import PortfolioSnapshot

    require_perm(user, "reports.portfolio.view")
    filters = scoped(user, Filters(currency=currency))
    source, read_date = portfolio_source(on_date)
    lines = {ln.key: ln for ln in _class_lines()}
    rows: list[tuple[str, int, int, int, int, int]] = []
    if source == "snapshot":
        qs = _apply(
            PortfolioSnapshot.objects.filter(business_date=read_date),
            filters,
            officer="officer_id",
            product="product_id",
            post="border_post_id",
        ).filter(loan_count__gt=0)
        for r in qs.values("loan_class").annotate(
            n=Sum("loan_count"),
            out=Sum("principal_outstanding_minor"),
            pover=Sum("principal_overdue_minor"),
            over=Sum("overdue_minor"),
            prov=Sum("provision_minor"),
        ):
            rows.append(
                (
                    r["loan_class"],
                    r["n"] or 0,
                    r["out"] or 0,
                    r["pover"] or 0,
                    r["over"] or 0,
                    r["prov"] or 0,
                )
            )
    else:
        from django.db import connection

        where, params = ["l.status = 'active'", "l.currency = %s"], [currency]
        if filters.branch_id is not None:
            where.append("l.branch_id = %s")
            params.append(filters.branch_id)
        if filters.officer_id is not None:
            where.append("l.officer_id = %s")
            params.append(filters.officer_id)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT b.category, COUNT(*), SUM(l.principal_outstanding_minor), 0, "  # noqa: S608 (constant text and placeholders)
                "SUM(l.overdue_minor), "
                "SUM((l.principal_outstanding_minor * b.rate_ppm + 500000) / 1000000) "
                "FROM loans_loan l JOIN cob_provisionband b ON b.restructured = l.restructured "
                "AND l.days_past_due >= b.min_days "
                "AND (b.max_days IS NULL OR l.days_past_due <= b.max_days) "
                f"WHERE {' AND '.join(where)} GROUP BY b.category",
                params,
            )
            rows = list(cursor.fetchall())
    for key, n, out, pover, over, prov in rows:
        line = lines.get(key or "?")
        if line is None:
            line = lines[key or "?"] = ClassLine(key or "?", key or "?", "", [])
        line.loans += int(n)
        line.outstanding_minor += int(out)
        line.principal_overdue_minor += int(pover)
        line.overdue_minor += int(over)
        line.provision_minor += int(prov)
    ordered = list(lines.values())

    def total(label: str, items: list[ClassLine]) -> ClassLine:
        return ClassLine(
            "total",
            label,
            "",
            [],
            sum(x.loans for x in items),
            sum(x.outstanding_minor for x in items),
            sum(x.principal_overdue_minor for x in items),
            sum(x.overdue_minor for x in items),
            sum(x.provision_minor for x in items),
        )

    return OverdueStatement(
        on_date,
        currency,
        source,
        ordered,
        total(_("Loans in difficulty"), [x for x in ordered if x.key not in ("sound", "normal")]),
        total(_("Total"), ordered),
    )


@dataclass
class MonthlyPack:
    on_date: dt.date
    currency: str
    statements: FinancialStatements
    loans_by_product: PortfolioReport
    deposits: list[tuple[str, str, int]]  # number, name, amount
    ratios: list[tuple[object, RatioCheck]]
    overdue: OverdueStatement | None = None
    exchange: object | None = None  # mupaka.cob.selectors.ExchangePosition


def monthly_pack(*, user, on_date: dt.date, currency: str | None = None) -> MonthlyPack:
    """What the BCC asks of a COOPEC/IMF each month: balance sheet, income statement,
    loans by product and by age (the statement of overdue loans), deposits by kind, and
    the prudential ratios against the preset's thresholds."""
    require_perm(user, "reports.financial.view")
    statements = financial_statements(user=user, on_date=on_date, currency=currency)
    cur = statements.currency
    loans = portfolio_report(
        user=user, on_date=on_date, filters=Filters(currency=cur), group_by="product"
    )
    lang = "fr"
    from django.utils import translation

    lang = translation.get_language() or "fr"
    deposits = []
    for section in statements.balance_sheet.sections:
        if section.key != "liabilities_equity":
            continue
        for r in section.rows:
            if r.number.startswith("33") and not r.is_header and "-" in r.number:
                deposits.append((r.number, r.name(lang), r.amount_minor))
    return MonthlyPack(
        on_date,
        cur,
        statements,
        loans,
        deposits,
        prudential_checks(on_date=on_date, currency=cur, fs=statements.balance_sheet),
        overdue=overdue_statement(user=user, on_date=on_date, currency=cur),
        exchange=exchange_position_report(user=user, on_date=on_date),
    )


def exchange_position_report(*, user, on_date: dt.date):
    """The exchange position per currency at the end of ``on_date``, valued in the base
    currency at that date's closing rates, with its unrealised result (end of day posts
    it at the month end: ``mupaka.cob.selectors.exchange_position``)."""
    from mupaka.cob.selectors import exchange_position

    require_perm(user, "reports.financial.view")
    if on_date > institution_get().business_date:
        raise ValidationFailed(
            _("%(date)s is after the business date: nothing is known of it yet.")
            % {"date": on_date.strftime("%d/%m/%Y")},
            field="date",
            code="future_date",
        )
    return exchange_position(on_date=on_date)


# --- dashboard ---------------------------------------------------------------------------------
@dataclass
class Trends:
    currency: str
    dates: list[dt.date]
    glp: list[int | None]
    par30: list[Decimal | None]
    disbursed: list[int | None]
    savings: list[int | None]
    women: list[int | None]
    par30_by_branch: list[tuple[str, Decimal | None]]
    par30_by_border_post: list[tuple[str, Decimal | None]]


def dashboard_trends(*, user, currency: str | None = None, months: int = 12) -> Trends:
    """Month-end points of the last ``months`` months (and the business date): portfolio,
    PAR30, disbursements of the month, savings deposits (ledger), women served."""
    from mupaka.cob.models import OutreachSnapshot
    from mupaka.ledger.selectors import totals_by_role

    require_perm(user, "reports.dashboard.view")
    inst = institution_get()
    currency = (currency or inst.base_currency).upper()
    filters = scoped(user, Filters())
    from mupaka.cob.selectors import snapshot_date

    # the last point is the last close (read from its snapshot, fast at any size); before
    # end of day has ever run, the loans as they stand on the business date
    business = snapshot_date(on_or_before=inst.business_date) or inst.business_date
    dates: list[dt.date] = []
    d = business.replace(day=1) - dt.timedelta(days=1)
    for _i in range(months - 1):
        dates.append(d)
        d = d.replace(day=1) - dt.timedelta(days=1)
    dates.reverse()
    dates.append(business)
    series = glp_series(dates, currency=currency, filters=filters)
    standing = effective_dates([d for d in dates if d != business])
    women_qs = OutreachSnapshot.objects.filter(
        business_date__in=sorted(set(standing.values())), sex="F"
    )
    if filters.branch_id is not None:
        women_qs = women_qs.filter(branch_id=filters.branch_id)
    by_closed = {
        r["business_date"]: int(r["c"] or 0)
        for r in women_qs.values("business_date").annotate(c=Sum("clients_served"))
    }
    women = {d: by_closed[c] for d, c in standing.items() if c in by_closed}
    branch_savings: dict[dt.date, int] = {}
    if filters.branch_id is not None:
        from mupaka.cob.models import SavingsSnapshot

        rows = (
            SavingsSnapshot.objects.filter(
                business_date__in=sorted({standing.get(d, d) for d in dates}),
                branch_id=filters.branch_id,
                currency=currency,
                kind="voluntary",
            )
            .values("business_date")
            .annotate(b=Sum("balance_minor"))
        )
        branch_savings = {r["business_date"]: int(r["b"] or 0) for r in rows}
    glp, par30, disbursed, savings, women_served = [], [], [], [], []
    for day in dates:
        point = series.get(day)
        glp.append(point["glp"] if point else None)
        par30.append(
            (Decimal(point["par30"]) / Decimal(point["glp"]) * 100)
            if point and point["glp"]
            else None
        )
        disbursed.append(point.get("disbursed") if point else None)
        if filters.branch_id is None:
            net = totals_by_role("savings_deposits", as_of=day).get(currency)
            savings.append(-net if net is not None else None)
        else:
            # the ledger does not split deposits by branch: a branch reads its savings
            # snapshot (voluntary savings, as the ledger's savings_deposits role)
            savings.append(branch_savings.get(standing.get(day, day)))
        women_served.append(women.get(day))
    if business not in women and business == inst.business_date:
        women_served[-1] = _live_women_served(filters)
    last = portfolio_report(
        user=user, on_date=business, filters=replace(filters, currency=currency), group_by="branch"
    )
    by_post = portfolio_report(
        user=user,
        on_date=business,
        filters=replace(filters, currency=currency),
        group_by="border_post",
    )

    def par_rows(report):
        rows = []
        for c in report.currencies:
            for s in c.slices:
                r = s.quality.par[30].ratio
                rows.append((s.label, None if r is None else r * 100))
        return rows

    return Trends(
        currency,
        dates,
        glp,
        par30,
        disbursed,
        savings,
        women_served,
        par_rows(last),
        par_rows(by_post),
    )


def _live_women_served(filters: Filters) -> int:
    rows = list(_outreach_people(None, replace(filters, sex="F"), "live"))
    return sum(r[4] for r in rows)
