"""Residents' personal-information requests on the public site (PIPL arts. 44–47): no account, the
phone they gave is the key, proven by a one-time SMS code.

Session state (server-side): `privacy_pending` is the request waiting for its code, `privacy`
the verified visit (request id, phone, end time), `privacy_correction` a phone change waiting for
the code sent to the new phone. Every page that shows the data is sent with no-store; every
failure answers the same words whether or not the phone has data with us."""

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from liaison.lib import captcha
from liaison.lib.http import no_store
from liaison.lib.ratelimit import rate_refusal
from liaison.lib.validators import mask_mobile
from liaison.lib.views import show_error
from liaison.services import client_ip

from . import privacy_services as svc
from . import rules
from .models import PrivacyRequest
from .privacy_forms import CodeForm, CorrectionForm, DeleteForm, PrivacyStartForm
from .privacy_selectors import resident_cases

PENDING, VISIT, CORRECTION = "privacy_pending", "privacy", "privacy_correction"


def _limited(scope, ident):
    return rate_refusal(scope=scope, ident=ident, default=rules.PRIVACY_RATES[scope])


def _wrong_code_message():
    return _("The code is wrong or has expired. Check the SMS, or start again to get a new code.")


def _visit(request):
    """The verified visit from the session: (access request, phone), or None when there is none or
    it is over."""
    data = request.session.get(VISIT)
    if not data or time.time() > data.get("until", 0):
        request.session.pop(VISIT, None)
        return None
    privacy_request = PrivacyRequest.objects.filter(
        pk=data["request"], kind=PrivacyRequest.Kind.ACCESS, status=PrivacyRequest.Status.DONE
    ).first()
    if privacy_request is None:
        return None
    return privacy_request, data["phone"]


def _visit_or_start(view):
    def wrapped(request, *args, **kwargs):
        visit = _visit(request)
        if visit is None:
            return redirect("privacy:start")
        return view(request, visit, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _own_case_or_404(phone, pk):
    """One of the resident's own cases; any other id is a 404, as if it did not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    case = resident_cases(phone=phone).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@no_store
def start(request):
    refresh = captcha.refresh_requested(request)
    posted = request.method == "POST" and not refresh
    initial = captcha.typed_values(request.POST) if refresh else None
    form = PrivacyStartForm(request.POST if posted else None, initial=initial)
    status = 200
    if posted:
        ip = client_ip(request)
        refusal = _limited("privacy_start_ip", ip)
        solved = captcha.captcha_check(request.session, request.POST.get("captcha"))
        if refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        elif form.is_valid() and not solved:
            form.add_error("captcha", captcha.WRONG_MESSAGE)
        elif form.is_valid():
            phone = form.cleaned_data["mobile"]
            # Counted before anything is looked up, so the limit says nothing about the phone.
            refusal = _limited("privacy_code_phone", phone)
            if refusal:
                form.add_error(None, refusal.message)
                status = refusal.status
            else:
                privacy_request = svc.privacy_request_start(phone=phone, ip=ip)
                request.session.pop(VISIT, None)
                request.session[PENDING] = {"request": privacy_request.pk, "phone": phone}
                return redirect("privacy:verify")
        form.data = form.data.copy()
        form.data["captcha"] = ""
    captcha.captcha_new(request.session)
    return render(request, "cases/privacy_start.html", {"form": form}, status=status)


@no_store
def verify(request):
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("privacy:start")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        refusal = _limited("privacy_verify_ip", ip)
        if refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        elif form.is_valid():
            privacy_request = PrivacyRequest.objects.filter(pk=pending["request"]).first()
            ok = privacy_request is not None and svc.privacy_request_verify(
                privacy_request=privacy_request, code=form.cleaned_data["code"], phone=pending["phone"], ip=ip
            )
            if ok:
                request.session.pop(PENDING, None)
                # A fresh session key once the phone is proven, like a login.
                request.session.cycle_key()
                request.session[VISIT] = {
                    "request": privacy_request.pk, "phone": pending["phone"],
                    "until": time.time() + svc.VERIFIED_VISIT.total_seconds(),
                }
                return redirect("privacy:mine")
            form.add_error(None, _wrong_code_message())
    context = {"form": form, "mobile": mask_mobile(pending["phone"])}
    return render(request, "cases/privacy_verify.html", context, status=status)


@no_store
@_visit_or_start
def mine(request, visit):
    """The resident's own cases with the personal data they gave: what we hold about them."""
    privacy_request, phone = visit
    cases = list(resident_cases(phone=phone))
    svc.privacy_data_viewed(verified_request=privacy_request, phone=phone, cases=cases, ip=client_ip(request))
    return render(request, "cases/privacy_mine.html", {"cases": cases, "mobile": mask_mobile(phone)})


@no_store
@_visit_or_start
def correct(request, visit, pk):
    privacy_request, phone = visit
    case = _own_case_or_404(phone, pk)
    initial = {"name": case.reporter_name, "mobile": case.reporter_mobile, "address": case.reporter_address}
    if request.method != "POST":
        # The form shows the name, phone and address held for this case: a view like `mine`.
        svc.privacy_data_viewed(verified_request=privacy_request, phone=phone, cases=[case], ip=client_ip(request))
    form = CorrectionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ip = client_ip(request)
        new_phone = d["mobile"] != phone
        refusal = (_limited("privacy_start_ip", ip) or _limited("privacy_code_phone", d["mobile"])) if new_phone else None
        if refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        else:
            try:
                correction = svc.privacy_correct(
                    verified_request=privacy_request, case=case, phone=phone, name=d["name"], address=d["address"],
                    mobile=d["mobile"], ip=ip,
                )
            except ValidationError as exc:
                show_error(request, exc, form=form)
            else:
                if correction.status == PrivacyRequest.Status.DONE:
                    messages.success(request, _("Your personal information was corrected."))
                    return redirect("privacy:mine")
                request.session[CORRECTION] = {"request": correction.pk, "case": case.pk, **d}
                return redirect("privacy:correct_confirm")
    return render(request, "cases/privacy_correct.html", {"form": form, "case": case}, status=status)


@no_store
@_visit_or_start
def correct_confirm(request, visit):
    """The code sent to the new phone: the phone change (and the rest of the correction) is
    applied only once it is entered."""
    _privacy_request, phone = visit
    pending = request.session.get(CORRECTION)
    if not pending:
        return redirect("privacy:mine")
    case = _own_case_or_404(phone, pending["case"])
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        refusal = _limited("privacy_verify_ip", ip)
        if refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        elif form.is_valid():
            correction = PrivacyRequest.objects.filter(pk=pending["request"], kind=PrivacyRequest.Kind.CORRECT).first()
            try:
                ok = correction is not None and svc.privacy_correct_confirm(
                    privacy_request=correction, code=form.cleaned_data["code"], case=case, phone=phone,
                    name=pending["name"], address=pending["address"], mobile=pending["mobile"], ip=ip,
                )
            except ValidationError as exc:
                show_error(request, exc, form=form)
            else:
                if ok:
                    request.session.pop(CORRECTION, None)
                    messages.success(
                        request,
                        _("Your personal information was corrected. Request %(code)s now uses the new mobile number.")
                        % {"code": case.tracking_code},
                    )
                    return redirect("privacy:mine")
                form.add_error(None, _wrong_code_message())
    context = {"form": form, "case": case, "mobile": mask_mobile(pending["mobile"])}
    return render(request, "cases/privacy_correct_confirm.html", context, status=status)


@no_store
@_visit_or_start
def delete(request, visit):
    """Confirm, then anonymize one case (?case=id) or all of the resident's cases."""
    privacy_request, phone = visit
    pk = request.POST.get("case") or request.GET.get("case")
    cases = [_own_case_or_404(phone, pk)] if pk else list(resident_cases(phone=phone))
    if not cases:
        return redirect("privacy:mine")
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.privacy_delete(verified_request=privacy_request, cases=cases, phone=phone, ip=client_ip(request))
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(
                request,
                ngettext(
                    "Your name, mobile number and address were deleted from %(count)d request.",
                    "Your name, mobile number and address were deleted from %(count)d requests.",
                    len(cases),
                ) % {"count": len(cases)},
            )
            return redirect("privacy:mine")
    return render(request, "cases/privacy_delete.html", {"form": form, "cases": cases, "case_id": pk or ""})


@require_POST
def end(request):
    """Leave: forget the verified visit at once instead of waiting for it to run out."""
    for key in (PENDING, VISIT, CORRECTION):
        request.session.pop(key, None)
    return redirect("public:offices")
