from django.urls import path

from mupaka.shares import api

urlpatterns = [
    path("members/<int:pk>/shares", api.MemberShares.as_view(), name="member_shares"),
]
