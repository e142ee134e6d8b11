from django.urls import path

from . import dashboard, views

app_name = "offices"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("contacts/shortfalls/", views.contact_shortfalls, name="contact_shortfalls"),
]
