from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("", views.my_points, name="my_points"),
    path("deputies/<int:pk>/", views.deputy_points, name="deputy_points"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/new/", views.claim_create, name="claim_create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/evidence/", views.claim_evidence, name="claim_evidence"),
    path("claims/<int:pk>/<str:action>/", views.claim_transition, name="claim_transition"),
    path("entries/<int:entry_pk>/review/", views.review_request, name="review_request"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("standings/", views.standings, name="standings"),
    path("standings/publish/", views.snapshot_publish, name="snapshot_publish"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/mine/", views.report_mine, name="report_mine"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
