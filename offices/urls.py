from django.urls import path

from . import poster_views, views

app_name = "offices"

urlpatterns = [
    path("contacts/shortfalls/", views.contact_shortfalls, name="contact_shortfalls"),
    # QR posters 码上见代表: the office's public page, with a deputy preselected on a deputy's poster.
    path("offices/<int:pk>/poster/", poster_views.office_poster, name="office_poster"),
    path("offices/<int:pk>/deputies/<int:deputy_pk>/poster/", poster_views.deputy_poster, name="deputy_poster"),
]
