from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from mupaka.core import views as core_views

api_v1 = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:openapi"), name="docs"),
    path("", include("mupaka.members.api_urls")),
    path("", include("mupaka.ledger.api_urls")),
    path("", include("mupaka.loans.api_urls")),
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
    path("api/v1/", include((api_v1, "api"))),
]

handler403 = "mupaka.core.views.permission_denied"
