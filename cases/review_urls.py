"""Staff reports on cases: the year-end review of the units and the case list export. Kept apart
from cases.urls (the case pages) under their own namespace."""

from django.urls import path

from . import review_views as views

app_name = "case_reports"

urlpatterns = [
    path("review/", views.unit_review, name="review"),
    path("review/export/", views.unit_review_export, name="review_export"),
]
