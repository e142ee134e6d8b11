from django.urls import path

from . import contact_views

app_name = "offices"

urlpatterns = [
    path("contacts/shortfalls/", contact_views.contact_shortfalls, name="contact_shortfalls"),
]
