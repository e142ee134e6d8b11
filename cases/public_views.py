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

from liaison.lib import captcha
from liaison.lib.ratelimit import rate_refusal
from liaison.lib.uploads import serve_file
from liaison.lib.validators import mask_mobile
from liaison.lib.views import show_error
from liaison.services import client_ip
from offices.models import Deputy, Office
from reception.activity_selectors import office_upcoming_activities
from reception.opening_selectors import office_open_half_days, office_opening
from reception.work_plan_selectors import office_public_work_plan

from . import privacy_notice
from . import public_photo_services as photos
from . import public_selectors as sel
from .models import PublicSubmission
from .public_forms import PublicCaseForm, TrackForm
from .public_services import public_submit
from .rules import PUBLIC_RATES


def _limited(scope, ident):
    return rate_refusal(scope=scope, ident=ident, default=PUBLIC_RATES[scope])


def _privacy_context():
    return {
        "privacy_notice_version": privacy_notice.NOTICE_VERSION,
        "privacy_retention_years": privacy_notice.RETENTION_YEARS_AFTER_ARCHIVE,
    }


INTENTS = ("write", "book")


def front(request):
    """The front door at `/` for visitors who are not signed in: the online office's three
    errands and the office/deputy search, with the staff login as a link."""
    return render(request, "cases/public_front.html", {"districts": sel.public_districts()})


@require_GET
def office_list(request):
    q = request.GET.get("q", "")[:50]
    intent = request.GET.get("intent", "")
    intent = intent if intent in INTENTS else ""
    try:
        district_id = int(request.GET.get("district") or 0) or None
    except ValueError:
        district_id = None
    page = Paginator(sel.public_offices(q=q, district_id=district_id), 20).get_page(request.GET.get("page"))
    matches = sel.offices_matching_deputies(page.object_list, q=q)
    rows = [{"office": o, "deputies": matches.get(o.pk, [])} for o in page.object_list]
    return render(
        request, "cases/public_office_list.html",
        {"page": page, "rows": rows, "q": q, "intent": intent, "district_id": district_id,
         "districts": sel.public_districts()},
    )


def _public_office(pk):
    return get_object_or_404(Office.objects.select_related("jurisdiction", "district"), pk=pk, is_active=True)


def _chosen_deputy(request, deputies):
    """The deputy named by ?deputy= (a deputy's QR poster), if they serve at the office; anything
    else is ignored, never an error: the resident still reaches the office."""
    try:
        pk = int(request.GET.get("deputy", ""))
    except ValueError:
        return None
    return next((d for d in deputies if d["pk"] == pk), None)


@require_GET
def office_detail(request, pk):
    office = _public_office(pk)
    deputies = sel.office_public_deputies(office)
    return render(
        request, "cases/public_office_detail.html",
        {"office": office, "deputies": deputies, "chosen": _chosen_deputy(request, deputies),
         "reception": sel.next_reception(office), "opening": office_opening(office),
         "upcoming": office_upcoming_activities(office),
         "work_plan": office_public_work_plan(office, year=timezone.localdate().year)},
    )


@require_GET
def deputy_photo(request, pk, deputy_pk):
    """A deputy's photo is a public field [SPEC §1], shown on their office's page; uploads are
    otherwise served only to those allowed, so this view serves no other file."""
    deputy = sel.office_public_deputy(_public_office(pk), deputy_pk)
    if deputy is None:
        raise Http404
    return serve_file(deputy.photo)


@never_cache
def submit(request, pk, kind):
    office = _public_office(pk)
    appointment = kind == PublicSubmission.Kind.APPOINTMENT
    slots = office_open_half_days(office) if appointment else []
    deputies = sel.office_public_deputies(office)
    choices = [(d["pk"], d["name"]) for d in deputies]
    status = 200
    if request.method != "POST":
        photos.photos_discard(request.session)  # a fresh form starts without photos
        chosen = _chosen_deputy(request, deputies)
        form = PublicCaseForm(office=office, appointment=appointment, slots=slots, deputies=choices,
                              initial={"deputy": chosen["pk"] if chosen else None})
    elif captcha.refresh_requested(request):
        # "New picture" without JavaScript: what was typed comes back, kept photos stay kept.
        form = PublicCaseForm(office=office, appointment=appointment, slots=slots, deputies=choices,
                              staged=photos.photos_staged(request.session, office_id=office.pk),
                              initial=captcha.typed_values(request.POST))
    else:
        form, status, done_response = _submit_post(request, office, kind, appointment, slots, choices)
        if done_response is not None:
            return done_response
    captcha.captcha_new(request.session)
    ctx = {"office": office, "form": form, "appointment": appointment, "slots": slots, **_privacy_context()}
    return render(request, "cases/public_submit.html", ctx, status=status)


def _submit_post(request, office, kind, appointment, slots, choices):
    """(form, status, redirect or None). Checked photos are kept in the session whatever else is
    wrong, and the resident's text stays in the form; only the CAPTCHA answer is cleared, with a
    new picture."""
    staged = photos.photos_staged(request.session, office_id=office.pk)
    form = PublicCaseForm(request.POST, request.FILES, office=office, appointment=appointment, slots=slots,
                          deputies=choices, staged=staged)
    status = 200
    refusal = _limited("public_submit_ip", client_ip(request))
    solved = captcha.captcha_check(request.session, request.POST.get("captcha"))
    if refusal:
        form.add_error(None, refusal.message)
        status = refusal.status
    else:
        valid = form.is_valid()
        photos.photos_keep_only(request.session, office_id=office.pk, tokens=form.kept_tokens())
        photos.photos_stage(request.session, office_id=office.pk, files=form.photo_uploads)
        if not solved:
            form.add_error("captcha", captcha.WRONG_MESSAGE)
        elif valid:
            done_response, status = _submit_valid(request, form, office, kind)
            if done_response is not None:
                return form, status, done_response
    data = form.data.copy()
    data["captcha"] = ""
    form.data = data
    form.show_staged(photos.photos_staged(request.session, office_id=office.pk))
    return form, status, None


def _submit_valid(request, form, office, kind):
    """(redirect to the done page, 302) or (None, the status to re-render the form with)."""
    d = form.cleaned_data
    refusal = _limited("public_submit_phone", d["mobile"])
    if refusal:
        form.add_error(None, refusal.message)
        return None, refusal.status
    slot = d.get("preferred_slot")
    deputy = Deputy.objects.filter(pk=d["deputy"]).first() if d.get("deputy") else None
    files = photos.photos_open(request.session, office_id=office.pk)
    try:
        case = public_submit(
            office=office, kind=kind, category=d["category"], title=d["title"], content=d["content"],
            mobile=d["mobile"], name=d["name"], address=d["address"], location=d.get("location", ""),
            deputy=deputy, preferred_date=slot.date if slot else None, preferred_half=slot.half if slot else "",
            photos=files,
        )
    except (ValidationError, PermissionDenied) as exc:
        show_error(request, exc, form=form)
        return None, 200
    finally:
        for f in files:
            f.close()
    photos.photos_discard(request.session)
    request.session["public_done"] = {
        "code": case.tracking_code, "mobile": mask_mobile(case.reporter_mobile), "kind": kind,
        "office": office.name, "date": slot.label if slot else "", "photos": len(files),
    }
    return redirect("public:done"), 302


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
        refusal = _limited("public_track_ip", client_ip(request))
        if refusal is None and form.is_valid():
            code, mobile = form.cleaned_data["code"], form.cleaned_data["mobile"]
            refusal = _limited("public_track_phone", mobile) or _limited("public_track_code", code)
        if refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
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
    refusal = _limited("public_captcha_ip", client_ip(request))
    if refusal:
        return HttpResponse(refusal.message, status=refusal.status, content_type="text/plain; charset=utf-8")
    if request.GET.get("new"):
        captcha.captcha_new(request.session)
    return HttpResponse(captcha.captcha_png(request.session), content_type="image/png")
