"""The resident's own rating of an answer (SPEC §3 step 7, [003] 反馈): the public page the SMS link
opens. No login: the signed, single-use, expiring link is the resident's capacity
(cases.resident_services). Every request counts against a per-IP limit like the other public
pages; a link that cannot be used gets a plain page that says why, never an error."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from liaison.lib.ratelimit import configured_rate, rate_hit
from liaison.services import client_ip

from . import public_selectors as sel
from .forms import ResidentRatingForm
from .models import CaseRating
from .resident_services import RatingLinkError, case_rate, rating_for_token
from .rules import PUBLIC_RATES

# Why a link cannot be used -> HTTP status. A tampered or unknown link is not found; a spent one is gone.
LINK_STATUS = {"invalid": 404, "expired": 410, "used": 410, "closed": 410}


def _link_problem(request, code, token):
    rating = None
    if code == "used":
        # Only reached with a valid signature: the resident sees what they answered.
        rating = CaseRating.objects.filter(pk=_pk(token)).only("satisfaction", "rated_at", "source").first()
    return render(request, "cases/public_rate_closed.html", {"reason": code, "rating": rating},
                  status=LINK_STATUS[code])


def _pk(token):
    head = str(token).split(".", 1)[0]
    return int(head) if head.isdigit() else 0


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token):
    try:
        limit = rate_hit(scope="public_rate_ip", ident=client_ip(request),
                         rate=configured_rate("public_rate_ip", PUBLIC_RATES["public_rate_ip"]))
    except Exception:  # noqa: BLE001 - counters unreachable (the limiter's RateLimitUnavailable)
        # Fail closed, as the other public pages do: nothing is rated uncounted.
        return render(request, "cases/public_rate_closed.html", {"reason": "unavailable"}, status=503)
    if not limit.allowed:
        minutes = max(1, (limit.retry_after + 59) // 60)
        return render(request, "cases/public_rate_closed.html",
                      {"reason": "limited", "minutes": minutes}, status=429)
    try:
        rating = rating_for_token(token)
    except RatingLinkError as exc:
        return _link_problem(request, exc.code, token)
    form = ResidentRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_rate(token=token, satisfaction=form.cleaned_data["satisfaction"],
                      comment=form.cleaned_data["comment"])
        except RatingLinkError as exc:
            return _link_problem(request, exc.code, token)
        # The same address now shows the thanks (a reload does not send the rating twice).
        return redirect("public:rate", token=token)
    case = rating.case
    return render(
        request, "cases/public_rate.html",
        {"case": case, "office": case.office.name if case.office_id else "", "form": form,
         "answer": sel.case_public_spot_answer(case), "replies": sel.case_public_answers(case),
         "expires_at": rating.expires_at},
        status=400 if form.errors else 200,
    )

