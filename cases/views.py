"""Internal pages of public-opinion cases (SPEC §3): intake, the case page with its timeline, one
view per workflow move, the 领办 team meeting, and the queues of each role.

Who sees a case is decided once, by cases.selectors.cases_visible_to; who may make a move, by
cases.workflow through cases.selectors.moves_for and again inside each service (which locks the
row, so two concurrent moves of one case cannot both succeed). Views only translate: GET shows what
the move will do, POST calls the service and turns its domain error into a message.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, FilteredRelation, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from liaison.lib.http import no_store
from liaison.lib.pagination import BoundedPaginator
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.lib.transitions import check_transition
from liaison.lib.uploads import serve_file
from liaison.lib.validators import mask_mobile
from liaison.lib.versions import cached_result
from liaison.lib.views import show_error
from liaison.models import Role
from liaison.services import audit_record
from offices.models import Team, TeamMembership
from offices.selectors import deputy_for_user, offices_visible_to, units_visible_to

from . import queue_selectors as queues
from . import resident_services, services, workflow
from .deadline_selectors import case_overdue_q, flag
from .forms import (
    AnswerForm,
    AssignForm,
    CaseDispatchForm,
    CaseReplyForm,
    CommentForm,
    FeedbackForm,
    FollowUpForm,
    IntakeForm,
    MeetingForm,
    MultipleFileField,
    ReceiveForm,
)
from .models import (
    Case,
    CaseAttachment,
    CaseDispatch,
    PublicSubmission,
    Satisfaction,
    Status,
    TeamMeeting,
)
from .reach_version import reach_names
from .resident_services import follow_up_possible, rating_required_before_archive
from .search import MAX_QUERY, case_search_q
from .selectors import (
    actor_kinds,
    can_see_personal_data,
    case_page_dispatches,
    cases_visible_to,
    deputy_case_reach,
    moves_for,
)

CASE_ROLES = (Role.DEPUTY, Role.LIAISON, Role.UNIT_HANDLER, Role.ORG_STAFF)
INTAKE_ROLES = (Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF)
PAGE_SIZE = 25


def run_move(request, *, case, form, call, done):
    """POST of a move page (a case's, or a unit's share of it): call the service. Success, a
    refusal, or an illegal state (someone moved the case first: the service locked and re-checked
    it) go back to the case page with a message; other domain errors stay on the form with what was
    typed (returns None: the caller renders the form again)."""
    try:
        call()
    except ValidationError as exc:
        if getattr(exc, "code", None) == "illegal_transition":
            show_error(request, exc)
            return redirect(case.get_absolute_url())
        show_error(request, exc, form=form)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return redirect(case.get_absolute_url())
    else:
        messages.success(request, done)
        return redirect(case.get_absolute_url())
    return None


def mask_address(value):
    """Keep the start (district, street) so the place is recognisable, hide the house."""
    value = value or ""
    if len(value) <= 4:
        return "****" if value else ""
    return f"{value[:min(6, len(value) // 2)]}****"


def _case(request, pk):
    return get_visible_or_404(cases_visible_to(user=request.user), pk=pk)


# ---------------------------------------------------------------- queues


def _queue_context(request, qs, *, title, kind, can_register=False, count_in_order=False):
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    overdue = request.GET.get("overdue") == "1"
    q = request.GET.get("q", "")[:MAX_QUERY]
    qs = queues.filter_cases(qs, status=status, category=category, overdue=overdue, q=q)
    # A searched queue is not counted (as the unit inbox searched): the count would test every
    # case of the queue against the word however few hold it (issue 10).
    page = BoundedPaginator(qs, PAGE_SIZE, count_in_order=count_in_order, counted=not q.strip()).get_page(
        request.GET.get("page")
    )
    return {
        "page": page, "title": title, "kind": kind, "statuses": Status.choices, "status": status,
        "categories": queues.category_options(), "category": category, "overdue": overdue, "q": q,
        "can_register": can_register,
    }


@role_required(Role.DEPUTY)
def deputy_queue(request):
    """The deputy's queue. Its content is cached under the versions of the cases the deputy
    reaches (cases.reach_version), with the reach itself, the day (the overdue flags), the
    language and the query string in the key: rebuilt only after one of those cases, names or
    memberships changed (issue 10: ~15 ms of Python a request for the same rows)."""
    user, title = request.user, gettext_lazy("My cases")
    reach = deputy_case_reach(user=user)

    def content():
        # My team memberships in one query: any of them lets me register a case, the teams I lead
        # hold an assignment meeting.
        memberships = list(
            TeamMembership.objects.filter(deputy__user=user).select_related("team").order_by("team__name", "team_id")
        )
        ctx = _queue_context(
            request, queues.deputy_queue(user=user, reach=reach), title=title, kind="deputy",
            can_register=bool(memberships),
        )
        ctx["led_teams"] = [m.team for m in memberships if m.is_leader]
        return render_to_string("cases/includes/queue_content.html", ctx, request=request)

    query = _cacheable_query(request)
    if query is None:
        html = content()
    else:
        html = cached_result(
            names=reach_names(reach), compute=content,
            parts=("cases:deputy-queue", user.pk, reach.key(), get_language(), timezone.localdate().isoformat(), query),
        )
    return render(request, "cases/case_queue.html", {"title": title, "content": mark_safe(html)})  # noqa: S308


# The deputy queue's filters whose pages are cached: a bounded set of values each, so that no
# visitor can fill the cache with one entry per made-up query string. A text search is not cached.
_CACHED_FILTERS = {
    "status": frozenset(Status.values) | {""},
    "overdue": frozenset({"1", ""}),
}


def _cacheable_query(request):
    """The query string as sent when every parameter is a known filter with a plausible value
    (a category that exists, a page number up to 999), else None."""
    for key, values in request.GET.lists():
        if len(values) != 1:  # a parameter given twice
            return None
        value = values[0]
        if key in _CACHED_FILTERS:
            ok = value in _CACHED_FILTERS[key]
        elif key == "category":
            ok = value == "" or value in {str(c["pk"]) for c in queues.category_options()}
        elif key == "page":
            ok = value.isascii() and value.isdigit() and len(value) <= 3
        else:
            ok = key == "q" and value == ""
        if not ok:
            return None
    return request.META.get("QUERY_STRING", "")


@role_required(Role.LIAISON)
def liaison_desk(request):
    ctx = _queue_context(
        request, queues.liaison_desk(user=request.user), title=gettext_lazy("Office desk"), kind="liaison",
        can_register=True,
    )
    return render(request, "cases/case_queue.html", ctx)


@role_required(Role.ORG_STAFF)
def staff_queue(request):
    ctx = _queue_context(
        request, queues.staff_dispatch_queue(user=request.user), title=gettext_lazy("Cases to dispatch"),
        kind="staff", can_register=True, count_in_order=True,
    )
    # What units ask of staff: returned cases to re-dispatch, extension requests to decide.
    returned, extensions = queues.staff_unit_requests(user=request.user)
    shown = 50
    ctx["returned"], ctx["extensions"] = list(returned[:shown]), list(extensions[:shown])
    ctx["n_returned"] = len(ctx["returned"]) if len(ctx["returned"]) < shown else returned.count()
    ctx["n_extensions"] = len(ctx["extensions"]) if len(ctx["extensions"]) < shown else extensions.count()
    ctx["unit_requests"] = ctx["n_returned"] + ctx["n_extensions"]
    return render(request, "cases/case_queue.html", ctx)


@role_required(Role.ORG_STAFF, Role.LIAISON, Role.DEPUTY)
def overdue_list(request):
    staff_list = request.user.role != Role.DEPUTY
    if staff_list:
        qs = queues.overdue_cases(user=request.user)
    else:
        qs = queues.deputy_queue(user=request.user).filter(queues.overdue_q())
    # The staff lists are read in the order of their partial indexes (case_waiting_for_staff,
    # case_overdue_candidates), and so are their bounded counts.
    ctx = _queue_context(request, qs, title=gettext_lazy("Overdue cases"), kind="overdue", count_in_order=staff_list)
    return render(request, "cases/case_queue.html", ctx)


@role_required(Role.UNIT_HANDLER)
def unit_inbox(request):
    """The unit's dispatched cases: dispatch date, days left (red when overdue, by the one rule of
    cases.deadline_selectors), district and office, sortable by each."""
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") not in queues.INBOX_SORTS:
        sort = ""
    show = request.GET.get("show", "open")
    qs = queues.unit_inbox(user=request.user, sort=sort, owed_only=show == "open")
    q = request.GET.get("q", "")[:MAX_QUERY].strip()
    if q:
        qs = qs.filter(case_search_q(q, path="case__"))
    # What the unit owes is its kept count (UnitOpenTotal), whichever column the list is sorted by.
    owed_count = queues.unit_owed_count(user=request.user) if show == "open" and not q else None
    if show != "open" and not sort:
        # Every share, what the unit owes first: read as its two parts, each in an index's order.
        qs = queues.unit_inbox_owed_first(qs)
    # A searched list is not counted: its count would test every share of the unit against the
    # word (or every case holding it), 90 ms for a busy unit at 10x, however few match; a page
    # reads its rows in the sort's index order, or from the cases holding a rare word's
    # character pairs (cases.search), and one row more to offer a next page (issue 10).
    page = BoundedPaginator(qs, PAGE_SIZE, known_count=owed_count, counted=not q).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for d in page:
        d.days_left = (d.deadline - today).days
        d.days_over = -d.days_left
    columns = [
        (key, label, f"-{key}" if sort == key else key, sort.lstrip("-") == key, sort.startswith("-"))
        for key, label in (("dispatched", _("Dispatched on")), ("deadline", _("Days left")),
                           ("district", _("District")), ("office", _("Office")))
    ]
    return render(
        request, "cases/unit_inbox.html",
        {"page": page, "show": show, "q": q, "sort": sort, "columns": columns, "today": today,
         # The same orders as the column headers, for phones, where the header row is hidden.
         "sort_options": [("deadline", _("Fewest days left first")), ("-deadline", _("Most days left first")),
                          ("-dispatched", _("Latest dispatched first")), ("dispatched", _("Earliest dispatched first")),
                          ("district", _("By district")), ("office", _("By office"))]},
    )


# ---------------------------------------------------------------- intake


def _intake_offices(user):
    """The offices the user may record cases for (cases.services.may_register decides)."""
    visible = offices_visible_to(user=user).filter(is_active=True)
    ids = [o.pk for o in visible if services.may_register(user=user, office=o)]
    return visible.filter(pk__in=ids).order_by("name")


@role_required(*INTAKE_ROLES)
@no_store
def case_register(request):
    offices = _intake_offices(request.user)
    if not offices.exists():
        raise PermissionDenied
    form = IntakeForm(request.POST or None, request.FILES or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        receivers = list(d["received_by"])
        me = deputy_for_user(request.user)
        if me is not None and me not in receivers:
            # A deputy who records a case received it, and keeps seeing it.
            receivers.append(me)
        try:
            case = services.case_register(
                office=d["office"], channel=d["channel"], category=d["category"], title=d["title"],
                content=d["content"], received_on=d["received_on"], reporter_name=d["reporter_name"],
                reporter_mobile=d["reporter_mobile"], reporter_address=d["reporter_address"],
                is_anonymous=d["is_anonymous"], received_by=receivers, spot_answer=d["spot_answer"],
                attachments=d["attachments"], actor=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("Case registered. Tracking code: %(code)s") % {"code": case.tracking_code})
            return redirect(case.get_absolute_url())
    return render(request, "cases/case_form.html", {"form": form})


# ---------------------------------------------------------------- the case page


def _personal_data(request, case, kinds=None):
    """The reporter block, unmasked only for those who handle the case; each unmasked view of
    a resident's phone or address is logged."""
    full = can_see_personal_data(user=request.user, case=case, kinds=kinds)
    has_data = bool(case.reporter_mobile or case.reporter_address)
    if full and has_data:
        audit_record(action="case_personal_data_viewed", request=request, obj=case)
    return {
        "name": case.reporter_name if full else (case.reporter_name[:1] + "*" if case.reporter_name else ""),
        "mobile": case.reporter_mobile if full else mask_mobile(case.reporter_mobile) if case.reporter_mobile else "",
        "address": case.reporter_address if full else mask_address(case.reporter_address),
        "unmasked": full,
    }


@role_required(*CASE_ROLES)
@no_store
def case_detail(request, pk):
    # A deputy's reach decides both whether the case is visible and in which capacities.
    reach = deputy_case_reach(user=request.user) if request.user.role == Role.DEPUTY else None
    today = timezone.localdate()
    case = get_visible_or_404(
        # The overdue badge comes with the case row rather than from a second look at it.
        cases_visible_to(user=request.user, reach=reach).select_related("public_submission__deputy")
        .prefetch_related("received_by", Prefetch("events"))
        .annotate(
            is_overdue=flag(case_overdue_q(today)),
            # The rating of the current round (one at most per round) joins the case row.
            current_rating=FilteredRelation("ratings", condition=Q(ratings__round=F("dispatch_round"))),
        )
        .select_related("current_rating"),
        pk=pk,
    )
    dispatches, case_files = case_page_dispatches(user=request.user, case=case, today=today)
    # The viewer's capacities once: the moves, the masking and the meeting link all depend on them.
    kinds = actor_kinds(user=request.user, case=case, reach=reach)
    moves = _visible_moves(moves_for(user=request.user, case=case, kinds=kinds), case)
    meeting = case.meeting_assignments.select_related("meeting").order_by("-id").first()
    # The team leader (or staff) gives owners at the team meeting, where the office's cases are
    # seen together; the single "assign" move stays for changing an owner.
    meeting_team = None
    if kinds & {workflow.LEADER, workflow.STAFF} and case.owner_id is None and case.status == Status.REGISTERED:
        meeting_team = Team.objects.filter(office_id=case.office_id).first()
    try:
        submission = case.public_submission  # joined by select_related
    except PublicSubmission.DoesNotExist:
        submission = None
    return render(
        request, "cases/case_detail.html",
        {
            "case": case, "reporter": _personal_data(request, case, kinds), "moves": moves, "dispatches": dispatches,
            "case_files": case_files,
            "can_receive": bool(kinds & {workflow.LIAISON, workflow.STAFF})
            and case.status in (Status.REGISTERED, Status.ANSWERED, Status.ASSIGNED),
            "can_attach": bool(kinds & {workflow.OWNER, workflow.LIAISON, workflow.STAFF, workflow.RECEIVER}),
            "meeting": meeting.meeting if meeting else None,
            "meeting_team": meeting_team,
            "public_submission": submission,
            "today": today,
            "is_overdue": case.is_overdue,
            "covers": workflow.STAFF in kinds,
            # Set by select_related only where the row exists.
            "rating": getattr(case, "current_rating", None),
        },
    )


def _visible_moves(moves, case):
    # A satisfied resident's case is archived, not dispatched again.
    if case.status == Status.FED_BACK and case.satisfaction != Satisfaction.DISSATISFIED:
        moves = [t for t in moves if t.action != "dispatch"]
    # Archived once the resident rated (or was followed up); a follow-up once the link expired.
    if any(t.action == "archive" for t in moves) and rating_required_before_archive(case):
        moves = [t for t in moves if t.action != "archive"]
    if any(t.action == "follow_up" for t in moves) and not follow_up_possible(case):
        moves = [t for t in moves if t.action != "follow_up"]
    return moves


@role_required(*CASE_ROLES)
@no_store
def attachment(request, pk):
    """A case's photo or PDF, to anyone who may open the case (a unit: the case's files and its
    own reply's files)."""
    item = get_object_or_404(CaseAttachment.objects.select_related("dispatch"), pk=pk)
    case = _case(request, item.case_id)
    if request.user.role == Role.UNIT_HANDLER and item.dispatch_id and item.dispatch.unit_id != request.user.unit_id:
        raise Http404
    audit_record(action="case_attachment_viewed", request=request, obj=case, attachment=item.pk)
    return serve_file(item.file, as_attachment=item.content_type == "application/pdf")


@role_required(Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF)
@no_store
def case_attach(request, pk):
    case = _case(request, pk)
    kinds = actor_kinds(user=request.user, case=case)
    if not kinds & {workflow.OWNER, workflow.LIAISON, workflow.STAFF, workflow.RECEIVER}:
        raise PermissionDenied
    if request.method == "POST":
        try:
            files = MultipleFileField().clean(request.FILES.getlist("attachments"))
            if not files:
                raise ValidationError(_("Choose at least one file."))
            services.case_attach(case=case, files=files, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Files added."))
    return redirect(case.get_absolute_url())


@role_required(Role.LIAISON, Role.ORG_STAFF)
@no_store
def case_receive(request, pk):
    """A reception: the deputies who met the resident (e.g. a resident who booked online)."""
    case = _case(request, pk)
    if not actor_kinds(user=request.user, case=case) & {workflow.LIAISON, workflow.STAFF}:
        raise PermissionDenied
    form = ReceiveForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_receive(case=case, deputies=list(form.cleaned_data["received_by"]),
                                  note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("Reception recorded."))
            return redirect(case.get_absolute_url())
    return render(
        request, "cases/case_move.html",
        {"case": case, "form": form, "title": _("Record the reception"), "button": _("Save"),
         "explain": _("Name the deputies of the team who received the resident.")},
    )


# ---------------------------------------------------------------- one view per move

EXPLAIN = {
    "answer": gettext_lazy("The case moves to “answered on the spot” and goes straight to feedback."),
    "assign": gettext_lazy("The chosen deputy of the team becomes the case's owner 领办人 and is told so."),
    "forward": gettext_lazy("The case goes to the organization department for dispatch; its staff are told."),
    "dispatch": gettext_lazy("Each chosen unit must reply by the deadline; their handlers are told."),
    "reply": gettext_lazy("Your unit's reply is recorded; once every unit has replied, the owner tells the resident."),
    "feedback": gettext_lazy("Record what the resident was told. The resident rates the answer themselves through "
                             "the link in their SMS."),
    "archive": gettext_lazy("The case is closed. The resident sees “archived” on the tracking page."),
    "follow_up": gettext_lazy("The resident did not rate the answer through the SMS link in time. Call them and "
                              "record how satisfied they are; you are recorded as the caller. The case's owner "
                              "may not do this."),
}
BUTTONS = {
    "answer": gettext_lazy("Record the answer"),
    "assign": gettext_lazy("Assign"),
    "forward": gettext_lazy("Forward"),
    "dispatch": gettext_lazy("Dispatch"),
    "reply": gettext_lazy("Send reply"),
    "feedback": gettext_lazy("Record feedback"),
    "archive": gettext_lazy("Archive"),
    "follow_up": gettext_lazy("Record the follow-up"),
}


def _move_form(action, request, case):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    if action == "answer":
        return AnswerForm(data)
    if action == "assign":
        return AssignForm(data, case=case)
    if action == "dispatch":
        units = units_visible_to(user=request.user).filter(is_active=True).order_by("name")
        return CaseDispatchForm(data, units=units)
    if action == "reply":
        return CaseReplyForm(data, files)
    if action == "feedback":
        return FeedbackForm(data)
    if action == "follow_up":
        return FollowUpForm(data)
    return CommentForm(data)


def _call(action, case, d, user):
    if action == "answer":
        return services.case_answer(case=case, answer=d["answer"], actor=user)
    if action == "assign":
        return services.case_assign(case=case, owner=d["owner"], comment=d["comment"], actor=user)
    if action == "forward":
        return services.case_forward(case=case, comment=d["comment"], actor=user)
    if action == "dispatch":
        return services.case_dispatch(case=case, units=list(d["units"]), deadline=d["deadline"],
                                      instructions=d["instructions"], actor=user)
    if action == "reply":
        return services.case_reply(case=case, result=d["result"], reply=d["reply"], will_solve_by=d["will_solve_by"],
                                   attachments=d["attachments"], actor=user)
    if action == "feedback":
        return services.case_feedback(case=case, note=d["note"], actor=user)
    if action == "follow_up":
        return resident_services.case_follow_up(case=case, satisfaction=d["satisfaction"], note=d["note"], actor=user)
    if action == "archive":
        return services.case_archive(case=case, comment=d["comment"], actor=user)
    raise Http404


def _refuse(request, case, transition):
    """Someone who could never make this move on this case gets 403; a move the case's state
    does not allow gets a message on the case page."""
    if not actor_kinds(user=request.user, case=case) & transition.actors:
        raise PermissionDenied
    try:
        check_transition(transition, case, workflow.CASE_ILLEGAL)
    except ValidationError as exc:
        show_error(request, exc)
        return redirect(case.get_absolute_url())
    return None


def _move(request, pk, action):
    case = _case(request, pk)
    transition = workflow.TRANSITIONS[action]
    refused = _refuse(request, case, transition)
    if refused is not None:
        return refused
    if action == "dispatch" and case.status == Status.FED_BACK and case.satisfaction != Satisfaction.DISSATISFIED:
        messages.error(request, _("Only a case the resident is dissatisfied with may be dispatched again."))
        return redirect(case.get_absolute_url())
    form = _move_form(action, request, case)
    if request.method == "POST" and form.is_valid():
        response = run_move(request, case=case, form=form, done=_("Done: %(action)s.") % {"action": transition.label},
                            call=lambda: _call(action, case, form.cleaned_data, request.user))
        if response is not None:
            return response
    title = transition.label
    if action == "dispatch" and case.status == Status.FED_BACK:
        title = _("Dispatch again")
    return render(
        request, "cases/case_move.html",
        {
            "case": case, "form": form, "title": title, "button": BUTTONS[action], "explain": EXPLAIN[action],
            "action": action, "target": Status(transition.target).label if transition.target else "",
            "dispatches": CaseDispatch.objects.filter(case=case, round=case.dispatch_round).select_related("unit")
            if action in ("feedback", "archive", "dispatch", "follow_up") and case.dispatch_round else [],
        },
    )


def _make_move_view(action, roles):
    @role_required(*roles)
    @no_store
    def view(request, pk):
        return _move(request, pk, action)

    view.__name__ = f"case_{action}"
    view.__doc__ = f"The “{action}” move of a case (cases.workflow.TRANSITIONS)."
    return view


case_answer = _make_move_view("answer", (Role.LIAISON, Role.DEPUTY))
case_assign = _make_move_view("assign", (Role.DEPUTY, Role.ORG_STAFF))
case_forward = _make_move_view("forward", (Role.DEPUTY, Role.LIAISON))
case_dispatch = _make_move_view("dispatch", (Role.ORG_STAFF,))
case_reply = _make_move_view("reply", (Role.UNIT_HANDLER,))
case_feedback = _make_move_view("feedback", (Role.DEPUTY, Role.LIAISON))
case_archive = _make_move_view("archive", (Role.LIAISON, Role.ORG_STAFF))
# 回访 (cases.resident_services.case_follow_up): liaisons and staff only, never the owner deputy.
case_follow_up = _make_move_view("follow_up", (Role.LIAISON, Role.ORG_STAFF))


# ---------------------------------------------------------------- the 领办 team meeting


def _led_team(request, team_pk):
    """A team the user may hold the meeting of: its leader, or staff covering its district."""
    team = get_object_or_404(Team.objects.select_related("office"), pk=team_pk)
    if request.user.role == Role.DEPUTY:
        if not TeamMembership.objects.filter(team=team, deputy__user=request.user, is_leader=True).exists():
            raise Http404
    elif not (request.user.role == Role.ORG_STAFF and request.user.jurisdiction_id
              and request.user.staff_district_id in (None, team.district_id)):
        raise Http404
    return team


def meeting_cases(team):
    """The cases on the table: received by the team's office, registered and still without an owner."""
    return (
        # A case answered on the spot goes straight to feedback; it gets no owner [003].
        Case.objects.filter(office_id=team.office_id, owner__isnull=True, status=Status.REGISTERED)
        .select_related("category").prefetch_related("received_by").order_by("received_on", "id")
    )


@role_required(Role.DEPUTY, Role.ORG_STAFF)
@no_store
def meeting_new(request, team_pk):
    team = _led_team(request, team_pk)
    cases = list(meeting_cases(team)[:100])
    form = MeetingForm(request.POST or None, team=team, cases=cases)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.team_meeting_record(
                team=team, date=d["date"], attendees=list(d["attendees"]), notes=d["notes"],
                assignments=d["assignments"], actor=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("Meeting recorded: %(n)s cases assigned.") % {"n": len(d["assignments"])})
            return redirect(meeting.get_absolute_url())
    return render(request, "cases/meeting_form.html", {"team": team, "form": form, "cases": cases})


def _meeting_visible(request, meeting):
    user = request.user
    if user.role == Role.DEPUTY:
        return TeamMembership.objects.filter(team_id=meeting.team_id, deputy__user=user).exists()
    if user.role == Role.LIAISON:
        return user.office_links.filter(office_id=meeting.team.office_id).exists()
    if user.role == Role.ORG_STAFF:
        return bool(user.jurisdiction_id) and user.staff_district_id in (None, meeting.team.district_id)
    return False


@role_required(Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF)
def meeting_detail(request, pk):
    meeting = get_object_or_404(TeamMeeting.objects.select_related("team", "team__office", "chaired_by"), pk=pk)
    if not _meeting_visible(request, meeting):
        raise Http404
    assignments = meeting.assignments.select_related("case", "owner")
    return render(
        request, "cases/meeting_detail.html",
        {"meeting": meeting, "assignments": assignments, "attendees": meeting.attendees.all()},
    )

