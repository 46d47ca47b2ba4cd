from django.urls import path

from mupaka.savings import views

app_name = "savings"
urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("products/", views.product_list, name="product_list"),
    path("limits/", views.limits, name="limits"),
]
