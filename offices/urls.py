from django.urls import path

from . import bimonthly, dashboard, performance, poster_views, views

app_name = "offices"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("reports/bimonthly/", bimonthly.bimonthly_report, name="bimonthly_report"),
    path("files/", performance.performance_file_list, name="performance_file_list"),
    path("files/mine/", performance.my_performance_file, name="my_performance_file"),
    path("files/<int:pk>/", performance.performance_file_detail, name="performance_file"),
    path("files/<int:pk>/export/", performance.performance_file_export, name="performance_file_export"),
    path("contacts/shortfalls/", views.contact_shortfalls, name="contact_shortfalls"),
    # QR posters 码上见代表: the office's public page, with a deputy preselected on a deputy's poster.
    path("offices/<int:pk>/poster/", poster_views.office_poster, name="office_poster"),
    path("offices/<int:pk>/deputies/<int:deputy_pk>/poster/", poster_views.deputy_poster, name="deputy_poster"),
]
