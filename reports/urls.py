"""The cross-app pages, mounted at the same "org/" prefix as offices.urls so their paths did not
change when they moved here."""

from django.urls import path

from . import bimonthly_views, dashboard_views

app_name = "reports"

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("reports/bimonthly/", bimonthly_views.bimonthly_report, name="bimonthly_report"),
]
