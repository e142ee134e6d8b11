"""The cross-app pages, mounted at the same "org/" prefix as offices.urls so their paths did not
change when they moved here."""

from django.urls import path

from . import bimonthly_views, dashboard_views, performance_views

app_name = "reports"

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("reports/bimonthly/", bimonthly_views.bimonthly_report, name="bimonthly_report"),
    path("files/", performance_views.performance_file_list, name="performance_file_list"),
    path("files/mine/", performance_views.my_performance_file, name="my_performance_file"),
    path("files/<int:pk>/", performance_views.performance_file_detail, name="performance_file"),
    path("files/<int:pk>/export/", performance_views.performance_file_export, name="performance_file_export"),
]
