from django.urls import path

from mupaka.cob import api

urlpatterns = [
    path("cob", api.CobRunView.as_view(), name="cob"),
    path("cob/<uuid:job>", api.CobJobView.as_view(), name="cob_job"),
    path("business-date", api.BusinessDateView.as_view(), name="business_date"),
]
