from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from mupaka.core import api as core_api
from mupaka.core import views as core_views

api_v1 = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:openapi"), name="docs"),
    path("me", core_api.me, name="me"),
    path("", include("mupaka.members.api_urls")),
    path("", include("mupaka.ledger.api_urls")),
    path("", include("mupaka.loans.api_urls")),
    path("", include("mupaka.savings.api_urls")),
    path("", include("mupaka.shares.api_urls")),
    path("", include("mupaka.tellers.api_urls")),
    path("", include("mupaka.cob.api_urls")),
    path("", include("mupaka.reports.api_urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", include("mupaka.core.urls")),
    path("members/", include("mupaka.members.urls")),
    path("ledger/", include("mupaka.ledger.urls")),
    path("loans/", include("mupaka.loans.urls")),
    path("savings/", include("mupaka.savings.urls")),
    path("shares/", include("mupaka.shares.urls")),
    path("tellers/", include("mupaka.tellers.urls")),
    path("cob/", include("mupaka.cob.urls")),
    path("reports/", include("mupaka.reports.urls")),
    path("api/v1/", include((api_v1, "api"))),
]

handler403 = "mupaka.core.views.permission_denied"
handler404 = "mupaka.core.views.page_not_found"
handler500 = "mupaka.core.views.server_error"
