from django.urls import path

from mupaka.cob import views

app_name = "cob"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<uuid:job>/", views.job, name="job"),
    path("jobs/<uuid:job>/progress/", views.job_progress, name="job_progress"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    path("bands/", views.bands, name="bands"),
]
