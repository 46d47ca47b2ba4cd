from django.urls import path

from mupaka.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("officers/", views.officers, name="officers"),
    path("arrears/", views.arrears, name="arrears"),
    path("indicators/", views.indicators, name="indicators"),
    path("outreach/", views.outreach, name="outreach"),
    path("statements/", views.statements, name="statements"),
    path("monthly-pack/", views.monthly_pack, name="monthly_pack"),
    path("exchange-position/", views.exchange_position, name="exchange_position"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("norms/", views.norms, name="norms"),
]
