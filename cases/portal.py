from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.lib.pagination import COUNT_LIMIT
from liaison.lib.versions import cached_result
from liaison.models import Role
from liaison.portal import CASES, REPORTS, NavItem, Panel

from . import queue_selectors as queues
from .reach_version import reach_names
from .selectors import deputy_case_reach


def _cases_panel(request):
    """Home panel: how many cases wait for the viewer's move, and how many are late."""
    user = request.user
    if user.role == Role.DEPUTY:
        # Cached under the versions of the cases the deputy reaches (cases.reach_version), with
        # the day in the key (the overdue count).
        reach = deputy_case_reach(user=user)
        today = timezone.localdate()
        counts = cached_result(
            names=reach_names(reach), parts=("cases:deputy-counts", reach.key(), today.isoformat()),
            compute=lambda: queues.deputy_queue_counts(user=user, today=today, reach=reach),
        )
        if not counts["waiting"] and not counts["late"]:
            return ""
        return render_to_string("cases/panel.html", {**counts, "requests": 0, "url": "cases:queue"}, request=request)
    if user.role == Role.LIAISON:
        qs, url = queues.liaison_desk(user=user), "cases:desk"
    elif user.role == Role.ORG_STAFF:
        qs, url = queues.staff_dispatch_queue(user=user), "cases:dispatch_queue"
    elif user.role == Role.UNIT_HANDLER:
        # The unit's kept open-share total (the inbox's own count): counting the owed shares
        # through the join to their cases took 126 ms at 10x (issue 10).
        waiting = queues.unit_owed_count(user=user)
        if not waiting:
            return ""
        return render_to_string("cases/panel.html", {"waiting": waiting, "url": "cases:inbox"}, request=request)
    else:
        return ""
    from django.db.models import Count, Q

    requests, capped = 0, False
    if user.role == Role.ORG_STAFF:
        # The staff queue can hold a city's backlog (66,800 dissatisfied cases at 20,000 deputies:
        # counting them all was 340 ms). Counted up to the queue page's bound, as the page counts
        # them; every case of that queue needs a move and none of them is overdue (the overdue
        # list is its own page, tests/cases/test_query_counts.py), so there is no late count.
        waiting, late = qs.order_by()[: COUNT_LIMIT + 1].count(), 0
        capped, waiting = waiting > COUNT_LIMIT, min(waiting, COUNT_LIMIT)
    else:
        # Both counts in one pass over the viewer's cases (a deputy's or an office's few: the
        # overdue shares looked up per case row).
        late_q = queues.overdue_q()
        counts = qs.order_by().aggregate(
            waiting=Count("pk", filter=Q(needs_action=True)), late=Count("pk", filter=late_q)
        )
        waiting, late = counts["waiting"], counts["late"]
    if user.role == Role.ORG_STAFF:
        returned, extensions = queues.staff_unit_requests(user=user)
        # One query for both counts.
        requests = returned.order_by().values("pk").union(extensions.order_by().values("pk"), all=True).count()
    if not waiting and not late and not requests:
        return ""
    return render_to_string(
        "cases/panel.html", {"waiting": waiting, "capped": capped, "late": late, "requests": requests, "url": url},
        request=request,
    )


NAV = [
    NavItem("cases:queue", _("My cases"), roles=frozenset({Role.DEPUTY}), order=20, group=CASES),
    NavItem("cases:desk", _("Office desk"), roles=frozenset({Role.LIAISON}), order=20, group=CASES),
    NavItem("cases:inbox", _("Case inbox"), roles=frozenset({Role.UNIT_HANDLER}), order=20, group=CASES),
    NavItem("cases:dispatch_queue", _("Cases to dispatch"), roles=frozenset({Role.ORG_STAFF}), order=20, group=CASES),
    NavItem("cases:overdue", _("Overdue cases"), roles=frozenset({Role.ORG_STAFF}), order=21, group=CASES),
    NavItem(
        "proposals:list", _("Proposals and motions"),
        roles=frozenset({Role.DEPUTY, Role.LIAISON, Role.UNIT_HANDLER, Role.ORG_STAFF}), order=40, group=CASES,
    ),
    NavItem(
        "proposals:inquiries", _("Inquiries"),
        roles=frozenset({Role.DEPUTY, Role.LIAISON, Role.UNIT_HANDLER, Role.ORG_STAFF}), order=41, group=CASES,
    ),
    NavItem("case_reports:review", _("Year-end review of units"), roles=frozenset({Role.ORG_STAFF}), order=45, group=REPORTS),
    NavItem("case_reports:export", _("Export cases"), roles=frozenset({Role.ORG_STAFF}), order=46, group=REPORTS),
    NavItem(
        "case_reports:bulletin_list", _("Review bulletins"),
        roles=frozenset({Role.DEPUTY, Role.LIAISON, Role.UNIT_HANDLER, Role.ORG_STAFF}), order=47, group=REPORTS,
    ),
]

PANELS = [
    Panel(roles=frozenset({Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF, Role.UNIT_HANDLER}), render=_cases_panel, order=20),
]
