from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cases import public_views

from . import views
from .security import views as security_views

admin.site.site_header = _("Deputy liaison office portal — administration")
admin.site.site_title = _("Liaison portal admin")
admin.site.index_title = _("Organization department workplace")

urlpatterns = [
    path("", views.home_or(public_views.front), name="home"),
    path("notices/", views.notices, name="notices"),
    path("hello/", views.hello, name="hello"),
    path("notices/read/", views.notices_mark_read, name="notices_mark_read"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/2fa/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", security_views.two_factor_verify, name="two_factor_verify"),
    path("audit/", security_views.audit_log, name="audit_log"),
    path("exports/", include("liaison.export_urls")),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("org/", include("offices.urls")),
    path("org/", include("reception.urls")),
    path("org/", include("reports.urls")),
    path("cases/", include("cases.urls")),
    path("proposals/", include("cases.proposal_urls")),
    path("case-reports/", include("cases.review_urls")),
    path("points/", include("scoring.urls")),
    # The public online office for residents: no login.
    path("office/privacy/", include("cases.privacy_urls")),
    path("office/", include("cases.public_urls")),
]
