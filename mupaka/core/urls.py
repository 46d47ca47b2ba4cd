from django.urls import path

from mupaka.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/token/", views.staff_token, name="staff_token"),
    path("institution/", views.institution, name="institution"),
    path("institution/branches/", views.branch_create, name="branch_create"),
]
