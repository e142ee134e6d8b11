"""QR posters 码上见代表 (issue 12 item 6): a printable A4 page per office and per deputy whose code
opens the office's public page, with the deputy preselected on a deputy's poster. The code is drawn
on the server (liaison.lib.qr); the page prints through print CSS (static/css/poster.css)."""

from django.conf import settings
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.views.decorators.http import require_GET

from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.lib.qr import qr_svg_data_uri
from liaison.lib.versions import cached_result
from liaison.models import Role
from offices.roster_version import OFFICES, ROSTER
from offices.selectors import deputy_for_request

from .opening_selectors import office_opening
from .poster_selectors import deputy_poster_offices, office_posters_for, poster_deputies_for, poster_offices_for


def public_office_url(request, office, deputy=None):
    """The address a resident's phone opens: PUBLIC_BASE_URL when set (staff often print from an
    intranet address residents cannot reach), else the address of this request."""
    path = reverse("public:office", args=[office.pk])
    if deputy is not None:
        path += f"?deputy={deputy.pk}"
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + path
    return request.build_absolute_uri(path)


def _render(request, office, deputy, others):
    url = public_office_url(request, office, deputy)
    return render(request, "reception/poster.html", {
        "office": office, "deputy": deputy, "url": url, "qr": qr_svg_data_uri(url),
        "opening": office_opening(office), "others": others, "base_url_set": bool(settings.PUBLIC_BASE_URL),
    })


@require_GET
@role_required(Role.LIAISON, Role.ORG_STAFF)
def office_poster(request, pk):
    office = get_visible_or_404(office_posters_for(user=request.user), pk=pk)
    others = list(poster_deputies_for(user=request.user, office=office).only("pk", "name"))
    return _render(request, office, None, others)


@require_GET
@role_required(Role.LIAISON, Role.ORG_STAFF, Role.DEPUTY)
def deputy_poster(request, pk, deputy_pk):
    office = get_visible_or_404(poster_offices_for(user=request.user), pk=pk)
    deputy = get_visible_or_404(poster_deputies_for(user=request.user, office=office), pk=deputy_pk)
    return _render(request, office, deputy, [])


def poster_panel(request):
    """Home panel: the posters a liaison (their offices) or a deputy (their own) can print."""
    user = request.user
    if user.role == Role.DEPUTY:
        # The offices whose team the deputy serves: cached under the roster's and the offices'
        # versions (memberships, the deputy's status, the offices' names and activity).
        def deputy_rows():
            return [
                {"name": office.name, "url": reverse("reception:deputy_poster", args=[office.pk, deputy.pk])}
                for office, deputy in deputy_poster_offices(user=user, deputy=deputy_for_request(request))
            ]

        rows = cached_result(
            names=(ROSTER, OFFICES), parts=("reception:poster-panel", user.pk, get_script_prefix()),
            compute=deputy_rows,
        )
    else:
        rows = [
            {"name": office.name, "url": reverse("reception:office_poster", args=[office.pk])}
            for office in office_posters_for(user=user).order_by("name")[:20]
        ]
    if not rows:
        return ""
    return render_to_string("reception/panel_posters.html", {"rows": rows}, request)
