"""Account security pages: two-factor enrolment and verification, password change, and the
auditor's audit log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from liaison.export_services import export_request
from liaison.lib.http import no_store
from liaison.lib.pagination import BoundedPaginator
from liaison.lib.permissions import role_required
from liaison.models import Role
from liaison.services import audit_record

from . import twofactor
from .audit import AuditLogFilterForm
from .forms import TokenForm
from .middleware import has_confirmed_device


def lockout_response(request, original_response, credentials):
    """django-axes' lockout page, in the portal's frame and language (HTTP 429)."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
    return render(request, "registration/lockout.html", context, status=429)


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse_lazy("home")


def _require_staff(request):
    if not request.user.is_authenticated:
        return False
    if not request.user.is_staff:
        raise PermissionDenied
    return True


@no_store
def two_factor_setup(request):
    """Enrolment: scan the QR code, confirm with a code; recovery codes are shown once."""
    if not _require_staff(request):
        return redirect(f"{reverse_lazy('login')}?next={request.path}")
    user = request.user
    if has_confirmed_device(user):
        messages.info(request, _("Two-factor authentication is already set up for your account. Ask the security administrator to reset it if you lost your phone."))
        return redirect(_next_url(request))
    device = twofactor.totp_device_for_enrolment(user)
    form = TokenForm(request.POST or None, user=user, device=device)
    if request.method == "POST":
        if form.is_valid():
            codes = twofactor.totp_confirm(device=device)
            otp_login(request, device)
            audit_record(action="2fa_enrolled", request=request, obj=user)
            return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": _next_url(request)})
        audit_record(action="2fa_enrol_failed", request=request, obj=user, outcome="failed")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": twofactor.qr_data_uri(device.config_url),
            "secret": twofactor.secret_base32(device),
            "next": _next_url(request),
        },
    )


@no_store
def two_factor_verify(request):
    """The second step of a staff login: a TOTP code or a recovery code."""
    if not _require_staff(request):
        return redirect(f"{reverse_lazy('login')}?next={request.path}")
    user = request.user
    if not has_confirmed_device(user):
        return redirect(f"{reverse_lazy('two_factor_setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None, user=user)
    if request.method == "POST":
        if form.is_valid():
            otp_login(request, form.verified_device)
            recovery = form.verified_device.persistent_id.startswith("otp_static")
            audit_record(action="2fa_verified", request=request, obj=user, recovery_code=recovery)
            if recovery:
                messages.warning(request, _("You used a recovery code. Each code works once; ask for new ones when they run low."))
            return redirect(_next_url(request))
        audit_record(action="2fa_failed", request=request, obj=user, outcome="failed")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view, plus: clears the forced-change flag and records the change."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        audit_record(action="password_changed", request=self.request, obj=user)
        return response


@role_required(Role.AUDITOR)
def audit_log(request):
    form = AuditLogFilterForm(request.GET or None)
    entries = form.filter()
    if request.GET.get("format") == "xlsx":
        # The whole log can be long: a worker writes the file while the auditor follows the
        # job's progress page. The job reads the same filters with the same form.
        params = {k: v for k, v in request.GET.items() if k in form.fields and v}
        job = export_request(user=request.user, exporter="audit_log", title=_("Audit log"), params=params)
        audit_record(action="audit_log_exported", request=request, filters=form.describe())
        return redirect("exports:detail", pk=job.pk)
    # Counted up to the bound: the log only grows (the filters narrow it).
    page = BoundedPaginator(entries, 50).get_page(request.GET.get("page"))
    response = render(request, "liaison/audit_log.html", {"form": form, "page": page})
    # Reading the log is on the record too (who looked, for what), after the page was read so
    # that the entry does not show up in the page it describes.
    audit_record(action="audit_log_viewed", request=request, filters=form.describe(), page=page.number)
    return response
