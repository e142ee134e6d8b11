from django.urls import path

from . import proposal_views as views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_file, name="file"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/cosign/", views.proposal_cosign, name="cosign"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/dispatch/", views.proposal_dispatch, name="dispatch"),
    path("<int:pk>/reply/", views.proposal_reply, name="reply"),
    path("<int:pk>/evaluate/", views.proposal_evaluate, name="evaluate"),
    path("inquiries/", views.inquiry_list, name="inquiries"),
    path("inquiries/new/", views.inquiry_create, name="inquiry_create"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<int:pk>/edit/", views.inquiry_edit, name="inquiry_edit"),
]
