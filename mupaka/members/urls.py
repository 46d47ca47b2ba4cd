from django.urls import path

from mupaka.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("new/", views.member_create, name="member_create"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/trader-profile/", views.trader_profile_edit, name="trader_profile_edit"),
    path("<int:pk>/status/", views.member_status, name="member_status"),
    path("<int:pk>/consent/", views.member_consent, name="member_consent"),
    path("<int:pk>/photo/", views.member_photo, name="member_photo"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/members/", views.group_member_add, name="group_member_add"),
    path(
        "groups/<int:pk>/members/<int:member_pk>/remove/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("groups/<int:pk>/officers/", views.group_officers, name="group_officers"),
    path("groups/<int:pk>/dissolve/", views.group_dissolve, name="group_dissolve"),
    path("avec/", views.avec_list, name="avec_list"),
    path("avec/new/", views.avec_create, name="avec_create"),
    path("avec/<int:pk>/", views.avec_detail, name="avec_detail"),
    path("avec/<int:pk>/members/", views.avec_member_add, name="avec_member_add"),
    path(
        "avec/<int:pk>/members/<int:member_pk>/remove/",
        views.avec_member_remove,
        name="avec_member_remove",
    ),
    path("border-posts/", views.border_post_list, name="border_post_list"),
    path("border-posts/<int:pk>/", views.border_post_edit, name="border_post_edit"),
]
