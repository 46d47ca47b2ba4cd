from django.urls import path

from mupaka.members import api

urlpatterns = [
    path("members", api.MemberListCreate.as_view(), name="members"),
    path("members/<int:pk>", api.MemberDetail.as_view(), name="member"),
    path("border-posts", api.BorderPostList.as_view(), name="border_posts"),
    path("groups", api.GroupCreate.as_view(), name="groups"),
    path("groups/<int:pk>", api.GroupDetail.as_view(), name="group"),
    path("groups/<int:pk>/members", api.GroupMembers.as_view(), name="group_members"),
]
