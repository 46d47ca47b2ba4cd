from django.urls import path

from mupaka.shares import api

urlpatterns = [
    path("members/<int:pk>/shares", api.MemberShares.as_view(), name="member_shares"),
    path(
        "members/<int:pk>/share-redemptions",
        api.MemberRedemptions.as_view(),
        name="member_share_redemptions",
    ),
    path("share-redemptions", api.RedemptionList.as_view(), name="share_redemptions"),
    path("share-redemptions/<int:pk>", api.RedemptionDetail.as_view(), name="share_redemption"),
    path(
        "share-redemptions/<int:pk>/approve",
        api.RedemptionApprove.as_view(),
        name="share_redemption_approve",
    ),
    path(
        "share-redemptions/<int:pk>/reject",
        api.RedemptionReject.as_view(),
        name="share_redemption_reject",
    ),
    path(
        "share-redemptions/<int:pk>/pay", api.RedemptionPay.as_view(), name="share_redemption_pay"
    ),
]
