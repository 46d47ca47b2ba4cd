from django.urls import path

from mupaka.savings import views

app_name = "savings"
urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("open/", views.account_open, name="account_open"),
    path("<int:pk>/", views.account_detail, name="account_detail"),
    path("<int:pk>/statement/", views.account_statement, name="statement"),
    path("<int:pk>/statement.pdf", views.account_statement_pdf, name="statement_pdf"),
    path("<int:pk>/deposit/", views.deposit, name="deposit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("<int:pk>/close/", views.close, name="close"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_edit, name="product_edit"),
    path("limits/", views.limits, name="limits"),
]
