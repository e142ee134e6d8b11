"""Staff reports on cases: the year-end review of the units and the case list export. Kept apart
from cases.urls (the case pages) under their own namespace."""

from django.urls import path

from . import review_views as views

app_name = "case_reports"

urlpatterns = [
    path("review/", views.unit_review, name="review"),
    path("review/export/", views.unit_review_export, name="review_export"),
    path("export/", views.case_export, name="export"),
    path("export/<int:pk>/", views.case_export_detail, name="export_detail"),
    path("export/<int:pk>/status/", views.case_export_status, name="export_status"),
    path("export/<int:pk>/download/", views.case_export_download, name="export_download"),
]

urlpatterns += [
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", views.bulletin_new, name="bulletin_new"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
]
