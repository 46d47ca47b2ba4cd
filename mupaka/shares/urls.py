from django.urls import path

from mupaka.shares import views

app_name = "shares"
urlpatterns = [
    path("", views.holding_list, name="holding_list"),
    path("product/", views.product, name="product"),
    path("members/<int:pk>/", views.member_shares, name="member"),
    path("members/<int:pk>/buy/", views.buy, name="buy"),
    path("members/<int:pk>/redeem/", views.redeem_request, name="redeem_request"),
    path("redemptions/<int:pk>/decide/", views.redeem_decide, name="redeem_decide"),
    path("redemptions/<int:pk>/pay/", views.redeem_pay, name="redeem_pay"),
]
