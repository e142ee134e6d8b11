from django.urls import path

from . import privacy_views as views

app_name = "privacy"

urlpatterns = [
    path("", views.start, name="start"),
    path("verify/", views.verify, name="verify"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/correct/", views.correct, name="correct"),
    path("mine/correct/confirm/", views.correct_confirm, name="correct_confirm"),
    path("mine/delete/", views.delete, name="delete"),
    path("end/", views.end, name="end"),
]
