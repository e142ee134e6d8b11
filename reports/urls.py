"""The cross-app pages, mounted at the same "org/" prefix as offices.urls so their paths did not
change when they moved here."""

from django.urls import path  # noqa: F401

app_name = "reports"

urlpatterns = []
