"""Calendar feeds at secret-token URLs, and the pages that show and renew those URLs.

A feed URL works without a login because calendar apps cannot log in: the 43-character random
token is the credential. A wrong token, a deputy no longer serving or a closed office is a plain
404. Renewing a token (the deputy for their own feed, liaisons and staff for an office's, staff
also in the admin) cuts off every old subscription."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.models import Role
from offices.models import Deputy, Office
from offices.selectors import deputy_for_request, deputy_for_user, offices_manageable_by
from offices.services import calendar_token_regenerate

from . import calendar_feeds

INACTIVE_DEPUTY = (Deputy.Status.RESIGNED, Deputy.Status.REMOVED)


def _ics(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The URL is a credential: keep the feed out of shared caches and search engines.
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def deputy_calendar(request, token):
    deputy = Deputy.objects.filter(calendar_token=token).exclude(status__in=INACTIVE_DEPUTY).first()
    if deputy is None:
        raise Http404
    return _ics(calendar_feeds.deputy_feed(deputy), "deputy.ics")


@require_GET
def office_calendar(request, token):
    office = Office.objects.filter(calendar_token=token, is_active=True).first()
    if office is None:
        raise Http404
    return _ics(calendar_feeds.office_feed(office), "office.ics")


def feed_urls(request, obj):
    """(https URL, webcal URL) of a deputy's or an office's feed."""
    name = "reception:deputy_calendar" if isinstance(obj, Deputy) else "reception:office_calendar"
    url = request.build_absolute_uri(reverse(name, args=[obj.calendar_token]))
    return url, "webcal://" + url.split("://", 1)[1]


@role_required(Role.DEPUTY)
def deputy_calendar_renew(request):
    deputy = deputy_for_user(request.user)
    if deputy is None:
        raise Http404
    if request.method == "POST":
        calendar_token_regenerate(obj=deputy, actor=request.user)
        messages.success(request, _("Your calendar has a new link. Subscribe again with it; the old link no longer works."))
        return redirect("home")
    return render(request, "reception/calendar_renew.html", {"subject": deputy})


@role_required(Role.LIAISON, Role.ORG_STAFF)
def office_calendar_renew(request, pk):
    office = get_visible_or_404(offices_manageable_by(user=request.user), pk=pk)
    if request.method == "POST":
        calendar_token_regenerate(obj=office, actor=request.user)
        messages.success(
            request, _("%(office)s's calendar has a new link; the old link no longer works.") % {"office": office.name}
        )
        return redirect("home")
    return render(request, "reception/calendar_renew.html", {"subject": office})


def calendar_panel(request):
    """Home panel: the deputy's own feed, or the feeds of the offices a liaison runs."""
    user = request.user
    if user.role == Role.DEPUTY:
        deputy = deputy_for_request(request)
        if deputy is None:
            return ""
        url, webcal = feed_urls(request, deputy)
        rows = [{"name": _("My calendar"), "url": url, "webcal": webcal, "renew": reverse("reception:deputy_calendar_renew")}]
    else:
        rows = []
        for office in offices_manageable_by(user=user).order_by("name")[:20]:
            url, webcal = feed_urls(request, office)
            rows.append(
                {"name": office.name, "url": url, "webcal": webcal,
                 "renew": reverse("reception:office_calendar_renew", args=[office.pk])}
            )
        if not rows:
            return ""
    return render_to_string("reception/panel_calendar.html", {"rows": rows}, request)
