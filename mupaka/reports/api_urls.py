from django.urls import path

from mupaka.reports import api

urlpatterns = [
    path("reports/portfolio", api.PortfolioView.as_view(), name="reports_portfolio"),
    path("reports/indicators", api.IndicatorsView.as_view(), name="reports_indicators"),
    path(
        "reports/financial-statements",
        api.FinancialStatementsView.as_view(),
        name="reports_financial_statements",
    ),
]
