from django.urls import path

from . import views

app_name = "offices"

urlpatterns = [
    path("contacts/shortfalls/", views.contact_shortfalls, name="contact_shortfalls"),
]
