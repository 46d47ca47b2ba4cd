from django.urls import path

from mupaka.shares import views

app_name = "shares"
urlpatterns = [
    path("", views.holding_list, name="holding_list"),
    path("product/", views.product, name="product"),
]
