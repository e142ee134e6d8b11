"""The public online office 网络党代表工作室 / 党代表信箱 [000 十七]: no login, phone-first.

Abuse protection: every POST is counted per client IP, submissions also per mobile number, and
tracking per mobile number (liaison.lib.ratelimit); submissions need the offline CAPTCHA
(liaison.lib.captcha, single use); tracking answers one message for every failure."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from liaison import privacy
from liaison.lib import captcha
from liaison.lib.ratelimit import configured_rate, rate_hit
from liaison.lib.validators import mask_mobile
from liaison.services import client_ip

from . import public_selectors as sel
from .models import PublicSubmission
from .public_forms import PublicCaseForm, TrackForm
from .public_services import public_submit

# Defaults; settings.RATE_LIMITS may override any of them.
RATES = {
    "public_submit_ip": "10/h",
    "public_submit_phone": "5/d",
    "public_track_ip": "30/h",
    "public_track_phone": "10/h",
    "public_captcha_ip": "200/h",
}



def _limited(request, scope, ident):
    result = rate_hit(scope=scope, ident=ident, rate=configured_rate(scope, RATES[scope]))
    if result.allowed:
        return None
    minutes = max(1, (result.retry_after + 59) // 60)
    return _("Too many attempts. Please try again in about %(minutes)s minutes.") % {"minutes": minutes}


def _privacy_context():
    return {
        "privacy_notice_version": privacy.NOTICE_VERSION,
        "privacy_retention_years": privacy.RETENTION_YEARS_AFTER_ARCHIVE,
    }


@require_GET
def office_list(request):
    q = request.GET.get("q", "")[:50]
    page = Paginator(sel.public_offices(q=q), 20).get_page(request.GET.get("page"))
    return render(request, "cases/public_office_list.html", {"page": page, "q": q})


def _public_office(pk):
    from offices.models import Office

    return get_object_or_404(Office.objects.select_related("jurisdiction", "district"), pk=pk, is_active=True)


@require_GET
def office_detail(request, pk):
    from offices.selectors import office_public_work_plan, office_upcoming_activities

    office = _public_office(pk)
    return render(
        request, "cases/public_office_detail.html",
        {"office": office, "deputies": sel.office_public_deputies(office), "reception": sel.next_reception(office),
         "upcoming": office_upcoming_activities(office),
         "work_plan": office_public_work_plan(office, year=timezone.localdate().year)},
    )


@require_GET
def deputy_photo(request, pk, deputy_pk):
    """A deputy's photo is a public field [SPEC §1], shown on their office's page; uploads are
    otherwise served only to those allowed, so this view serves no other file."""
    from liaison.lib.uploads import serve_file

    deputy = sel.office_public_deputy(_public_office(pk), deputy_pk)
    if deputy is None:
        raise Http404
    return serve_file(deputy.photo)


@never_cache
def submit(request, pk, kind):
    office = _public_office(pk)
    appointment = kind == PublicSubmission.Kind.APPOINTMENT
    period = sel.next_reception(office) if appointment else None
    days = sel.reception_days(period)
    # Bound on every POST, even an empty one: the checks below add errors to it.
    form = PublicCaseForm(request.POST if request.method == "POST" else None, appointment=appointment, days=days)
    status = 200
    if request.method == "POST":
        error = _limited(request, "public_submit_ip", client_ip(request))
        solved = captcha.captcha_check(request.session, request.POST.get("captcha"))
        if error:
            form.add_error(None, error)
            status = 429
        else:
            valid = form.is_valid()
            if not solved:
                form.add_error("captcha", _("The answer to the sum is wrong. Try the new picture."))
            elif valid:
                done_response = _submit_valid(request, form, office, kind, period)
                if done_response is not None:
                    return done_response
                if form.non_field_errors() and any(e.code == "rate" for e in form.errors.as_data().get("__all__", [])):
                    status = 429
        # The resident's text stays in the form; only the CAPTCHA answer is cleared, with a new picture.
        form.data = form.data.copy()
        form.data["captcha"] = ""
    captcha.captcha_new(request.session)
    ctx = {"office": office, "form": form, "appointment": appointment, "reception": period, **_privacy_context()}
    return render(request, "cases/public_submit.html", ctx, status=status)


def _submit_valid(request, form, office, kind, period):
    d = form.cleaned_data
    error = _limited(request, "public_submit_phone", d["mobile"])
    if error:
        form.add_error(None, ValidationError(error, code="rate"))
        return None
    try:
        case = public_submit(
            office=office, kind=kind, category=d["category"], title=d["title"], content=d["content"],
            mobile=d["mobile"], name=d["name"], address=d["address"],
            preferred_date=d.get("preferred_date"), reception_period=period,
        )
    except (ValidationError, PermissionDenied) as exc:
        for m in getattr(exc, "messages", [str(exc)]):
            form.add_error(None, m)
        return None
    date = d.get("preferred_date")
    request.session["public_done"] = {
        "code": case.tracking_code, "mobile": mask_mobile(case.reporter_mobile), "kind": kind,
        "office": office.name, "date": date.isoformat() if date else "",
    }
    return redirect("public:done")


@never_cache
@require_GET
def done(request):
    data = request.session.pop("public_done", None)
    if not data:
        return redirect("public:offices")
    return render(request, "cases/public_done.html", data)


@never_cache
def track(request):
    form = TrackForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST":
        error = _limited(request, "public_track_ip", client_ip(request))
        if not error and form.is_valid():
            error = _limited(request, "public_track_phone", form.cleaned_data["mobile"].strip())
        if error:
            form.add_error(None, error)
            status = 429
        elif form.is_valid():
            case = sel.case_for_tracking(code=form.cleaned_data["code"], mobile=form.cleaned_data["mobile"])
            if case is None:
                # One message whatever was wrong: never say whether the code exists.
                form.add_error(None, _("No request matches this tracking code and mobile number."))
            else:
                result = {"case": case, **sel.case_public_progress(case), "mobile": mask_mobile(case.reporter_mobile)}
    response = render(request, "cases/public_track.html", {"form": form, "result": result}, status=status)
    return response


@never_cache
@require_GET
def captcha_image(request):
    if _limited(request, "public_captcha_ip", client_ip(request)):
        raise Http404
    if request.GET.get("new"):
        question = captcha.captcha_new(request.session)
    else:
        question = captcha.captcha_current(request.session)
    return HttpResponse(captcha.captcha_image(question), content_type="image/png")


