from django.urls import path

from mupaka.tellers import views

app_name = "tellers"
urlpatterns = [
    path("counter/", views.counter, name="counter"),
    path("tills/", views.till_list, name="till_list"),
    path("rates/", views.rate_list, name="rate_list"),
]
