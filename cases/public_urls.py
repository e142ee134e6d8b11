from django.urls import path

from . import public_views as views
from . import rating_views
from .models import PublicSubmission

app_name = "public"

urlpatterns = [
    path("", views.office_list, name="offices"),
    path("<int:pk>/", views.office_detail, name="office"),
    path("<int:pk>/deputies/<int:deputy_pk>/photo/", views.deputy_photo, name="deputy_photo"),
    path("<int:pk>/book/", views.submit, {"kind": PublicSubmission.Kind.APPOINTMENT}, name="book"),
    path("<int:pk>/write/", views.submit, {"kind": PublicSubmission.Kind.OPINION}, name="write"),
    path("done/", views.done, name="done"),
    path("track/", views.track, name="track"),
    # The resident's own rating of an answer, from the signed single-use link of their SMS.
    path("rate/<str:token>/", rating_views.rate, name="rate"),
    path("captcha.png", views.captcha_image, name="captcha"),
]
