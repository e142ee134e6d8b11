"""Pages for activities, attendance, leave requests, department-leader invitations and the
escalation list (SPEC §2). Liaisons manage their offices, staff their jurisdiction; deputies ask
for leave, invite department leaders and write explanations for themselves."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.lib.counts import count_each
from liaison.lib.pagination import BoundedPaginator
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.lib.uploads import serve_file
from liaison.lib.versions import cached_result
from liaison.lib.views import show_error
from liaison.models import Role
from liaison.security.audit import audited
from offices.models import Jurisdiction
from offices.selectors import deputy_for_request, deputy_for_user, jurisdictions_visible_to, offices_manageable_by

from . import activity_services as services
from .activity_forms import (
    ActivityForm,
    ActivityLogForm,
    DecisionForm,
    ExplanationForm,
    InvitationDecisionForm,
    InvitationForm,
    LeaveRequestForm,
    PhotoForm,
    ResolveForm,
    deputies_for_offices,
    periods_for_offices,
)
from .activity_selectors import (
    activities_manageable_by,
    activities_visible_to,
    deputy_home,
    escalations_visible_to,
    invitations_visible_to,
    leave_requests_visible_to,
)
from .models import Activity, ActivityPhoto, Attendance, Escalation, Invitation, LeaveRequest
from .panel_version import panel_names

MANAGERS = (Role.LIAISON, Role.ORG_STAFF)
STAFF = (Role.ORG_STAFF,)
PAGE_SIZE = 25


def _activity_for_manager(request, pk):
    return get_visible_or_404(activities_manageable_by(user=request.user), pk=pk)


def _deputy_or_403(request):
    deputy = deputy_for_user(request.user)
    if deputy is None:
        raise PermissionDenied
    return deputy


# --- Activities -------------------------------------------------------------------------------------


@role_required(*MANAGERS)
def activity_list(request):
    qs = (
        activities_manageable_by(user=request.user)
        .annotate(n_deputies=Count("participants", distinct=True))
        .order_by("-date", "slot", "-pk")
    )
    offices = list(offices_manageable_by(user=request.user))
    office = request.GET.get("office", "")
    if office.isdigit():
        qs = qs.filter(office_id=int(office))
    kind = request.GET.get("kind", "")
    if kind in Activity.Kind.values:
        qs = qs.filter(kind=kind)
    status = request.GET.get("status", "")
    if status in Activity.Status.values:
        qs = qs.filter(status=status)
    when = request.GET.get("when", "")
    today = timezone.localdate()
    if when == "upcoming":
        qs = qs.filter(date__gte=today).order_by("date", "slot", "pk")
    elif when == "past":
        qs = qs.filter(date__lt=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reception/activity_list.html",
        {
            "page": page, "offices": offices, "kinds": Activity.Kind.choices, "statuses": Activity.Status.choices,
            "f": {"office": office, "kind": kind, "status": status, "when": when},
        },
    )


def _activity_form(request, data=None, initial=None):
    offices = offices_manageable_by(user=request.user)
    office_list = list(offices)
    return ActivityForm(
        data,
        initial=initial,
        offices=offices,
        deputies=deputies_for_offices(office_list),
        periods=periods_for_offices(office_list, timezone.localdate()),
    )


def _activity_args(d):
    return {
        "kind": d["kind"], "title": d["title"], "date": d["date"], "slot": d["slot"], "place": d["place"],
        "deputies": list(d["deputies"]), "plan_notes": d["plan_notes"], "households": d["households"] or 0,
        "makes_up_period": d["makes_up_period"],
    }


@role_required(*MANAGERS)
def activity_create(request):
    form = _activity_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_plan(
                office=form.cleaned_data["office"], actor=request.user, **_activity_args(form.cleaned_data)
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("The activity was planned."))
            return redirect(activity)
    return render(request, "reception/activity_form.html", {"form": form, "activity": None})


@role_required(*MANAGERS)
def activity_edit(request, pk):
    activity = _activity_for_manager(request, pk)
    initial = {
        "office": activity.office_id, "kind": activity.kind, "title": activity.title, "date": activity.date,
        "slot": activity.slot, "place": activity.place, "households": activity.households,
        "plan_notes": activity.plan_notes, "makes_up_period": activity.makes_up_period_id,
        "deputies": list(activity.participants.values_list("deputy_id", flat=True)),
    }
    form = _activity_form(request, request.POST or None, initial=initial)
    form.fields["office"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, actor=request.user, **_activity_args(form.cleaned_data))
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect(activity)
    return render(request, "reception/activity_form.html", {"form": form, "activity": activity})


@role_required(Role.LIAISON, Role.ORG_STAFF, Role.DEPUTY)
def activity_detail(request, pk):
    activity = get_visible_or_404(activities_visible_to(user=request.user), pk=pk)
    manager = request.user.role in MANAGERS
    participants = list(activity.participants.select_related("deputy").order_by("deputy__name_initials"))
    ctx = {
        "activity": activity,
        "participants": participants,
        "manager": manager,
        "photos": list(activity.photos.all()),
        "photo_form": PhotoForm() if manager else None,
    }
    if manager:
        ctx["leave_requests"] = list(activity.leave_requests.select_related("deputy"))
        ctx["invitations"] = list(activity.invitations.select_related("deputy"))
    else:
        deputy = deputy_for_user(request.user)
        ctx["leave_requests"] = list(activity.leave_requests.filter(deputy=deputy))
        ctx["invitations"] = list(activity.invitations.filter(deputy=deputy))
    return render(request, "reception/activity_detail.html", ctx)


def _transition_view(request, pk, *, service, template, success):
    activity = _activity_for_manager(request, pk)
    if request.method == "POST":
        try:
            service(activity=activity, actor=request.user)
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, success)
        return redirect(activity)
    return render(request, template, {"activity": activity})


@role_required(*MANAGERS)
def activity_announce(request, pk):
    return _transition_view(
        request, pk, service=services.activity_announce, template="reception/activity_announce.html",
        success=_("The announcement is published on the office's public page."),
    )


@role_required(*MANAGERS)
def activity_cancel(request, pk):
    return _transition_view(
        request, pk, service=services.activity_cancel, template="reception/activity_cancel.html",
        success=_("The activity was cancelled and its deputies were told."),
    )


@role_required(*MANAGERS)
def activity_log(request, pk):
    activity = _activity_for_manager(request, pk)
    participants = list(activity.participants.select_related("deputy").order_by("deputy__name_initials"))
    initial = {
        "attended": [str(p.deputy_id) for p in participants if p.attended],
        "households": activity.households,
        "notes": activity.notes,
    }
    form = ActivityLogForm(request.POST or None, request.FILES or None, participants=participants, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = {int(x) for x in d["attended"]}
        try:
            services.activity_log(
                activity=activity,
                attended={p.deputy_id: p.deputy_id in chosen for p in participants},
                notes=d["notes"],
                households=d["households"] if d["households"] is not None else activity.households,
                actor=request.user,
            )
            if d["photo"]:
                services.activity_photo_add(activity=activity, image=d["photo"], actor=request.user)
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("The activity and its attendance were recorded."))
            return redirect(activity)
    return render(request, "reception/activity_log.html", {"activity": activity, "form": form})


@role_required(*MANAGERS)
@require_POST
def activity_photo_add(request, pk):
    activity = _activity_for_manager(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        services.activity_photo_add(activity=activity, image=form.cleaned_data["photo"], actor=request.user)
        messages.success(request, _("The photo was added."))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect(activity)


@role_required(Role.LIAISON, Role.ORG_STAFF, Role.DEPUTY)
def activity_photo(request, pk, photo_pk):
    activity = get_visible_or_404(activities_visible_to(user=request.user), pk=pk)
    photo = get_visible_or_404(ActivityPhoto.objects.filter(activity=activity), pk=photo_pk)
    return serve_file(photo.image)


# --- Leave requests -----------------------------------------------------------------------------------


def _open_activities_for_deputy(deputy):
    today = timezone.localdate()
    return (
        Activity.objects.filter(
            Q(office__team__memberships__deputy=deputy) | Q(participants__deputy=deputy),
            status__in=[Activity.Status.PLANNED, Activity.Status.ANNOUNCED],
            date__gte=today,
        )
        .select_related("office")
        .distinct()
        .order_by("date", "slot")
    )


def _requests_page(request, queryset, model, template):
    """A list of leave requests or invitations: staff start on the pending ones, others on all."""
    qs = queryset.order_by("-filed_at")
    status = request.GET.get("status", "pending" if request.user.role == Role.ORG_STAFF else "")
    if status in model.Status.values:
        qs = qs.filter(status=status)
    # Read in the order of the model's filed_at indexes; counted up to the bound (issue 10).
    page = BoundedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, template,
        {"page": page, "status": status, "statuses": model.Status.choices,
         "is_staff": request.user.role == Role.ORG_STAFF, "is_deputy": request.user.role == Role.DEPUTY},
    )


@role_required(Role.DEPUTY, Role.ORG_STAFF, Role.LIAISON)
def leave_list(request):
    return _requests_page(request, leave_requests_visible_to(user=request.user), LeaveRequest, "reception/leave_list.html")


@role_required(Role.DEPUTY)
def leave_create(request):
    deputy = _deputy_or_403(request)
    activities = _open_activities_for_deputy(deputy)
    initial = {"activity": request.GET.get("activity")} if request.GET.get("activity", "").isdigit() else None
    form = LeaveRequestForm(request.POST or None, activities=activities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_request_file(
                deputy=deputy, activity=form.cleaned_data["activity"], reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Your leave request was sent to the organization department; your team was told."))
            return redirect("reception:leave_list")
    return render(request, "reception/leave_form.html", {"form": form})


@role_required(*STAFF)
def leave_decide(request, pk):
    leave = get_visible_or_404(leave_requests_visible_to(user=request.user), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_request_decide(
                leave=leave, approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("The decision was recorded and the deputy told."))
            return redirect("reception:leave_list")
    return render(request, "reception/leave_decide.html", {"leave": leave, "form": form})


# --- Invitations ----------------------------------------------------------------------------------------


@role_required(Role.DEPUTY, Role.ORG_STAFF, Role.LIAISON)
def invitation_list(request):
    return _requests_page(
        request, invitations_visible_to(user=request.user), Invitation, "reception/invitation_list.html"
    )


@role_required(Role.DEPUTY)
def invitation_create(request):
    deputy = _deputy_or_403(request)
    activities = _open_activities_for_deputy(deputy)
    initial = {"activity": request.GET.get("activity")} if request.GET.get("activity", "").isdigit() else None
    form = InvitationForm(request.POST or None, activities=activities, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.invitation_request(
                deputy=deputy, activity=d["activity"], department=d["department"], problem=d["problem"],
                actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Your invitation request was sent to the organization department."))
            return redirect("reception:invitation_list")
    return render(request, "reception/invitation_form.html", {"form": form})


@role_required(*STAFF)
def invitation_decide(request, pk):
    invitation = get_visible_or_404(invitations_visible_to(user=request.user), pk=pk)
    form = InvitationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.invitation_decide(
                invitation=invitation, approve=d["decision"] == "approve", note=d["note"], attendees=d["attendees"],
                actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("reception:invitation_list")
    return render(request, "reception/invitation_decide.html", {"invitation": invitation, "form": form})


# --- Escalation ---------------------------------------------------------------------------------------


@role_required(*STAFF)
def escalation_list(request):
    """Who owes what: open make-up reminders, explanations owed or submitted, resignation proposals."""
    qs = escalations_visible_to(user=request.user).order_by("-created_at", "-pk")
    f = {k: request.GET.get(k, "") for k in ("step", "status", "district", "q")}
    if f["step"].isdigit():
        qs = qs.filter(step=int(f["step"]))
    if f["status"] in Escalation.Status.values:
        qs = qs.filter(status=f["status"])
    elif not f["status"]:
        qs = qs.exclude(status=Escalation.Status.RESOLVED)
    if f["district"].isdigit():
        qs = qs.filter(district_id=int(f["district"]))
    if f["q"]:
        qs = qs.filter(Q(deputy__name__icontains=f["q"]) | Q(deputy__name_initials__icontains=f["q"]))
    districts = jurisdictions_visible_to(user=request.user).filter(
        level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "reception/escalation_list.html",
        {"page": page, "f": f, "steps": Escalation.Step.choices, "statuses": Escalation.Status.choices,
         "districts": districts},
    )


@role_required(*STAFF)
def escalation_resolve(request, pk):
    escalation = get_visible_or_404(escalations_visible_to(user=request.user), pk=pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_resolve(
                escalation=escalation, resolution=form.cleaned_data["resolution"], actor=request.user
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("The matter was closed."))
            return redirect("reception:escalation_list")
    return render(request, "reception/escalation_resolve.html", {"escalation": escalation, "form": form})


@role_required(Role.DEPUTY)
def my_escalations(request):
    deputy = _deputy_or_403(request)
    qs = escalations_visible_to(user=request.user).filter(deputy=deputy).order_by("-created_at")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reception/my_escalations.html", {"page": page})


@role_required(Role.DEPUTY)
def escalation_explain(request, pk):
    escalation = get_visible_or_404(escalations_visible_to(user=request.user), pk=pk)
    form = ExplanationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_explain(
                escalation=escalation, text=form.cleaned_data["text"], file=form.cleaned_data["file"],
                actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("Your explanation was sent to the organization department."))
            return redirect("reception:my_escalations")
    return render(request, "reception/escalation_explain.html", {"escalation": escalation, "form": form})


@role_required(Role.DEPUTY, Role.ORG_STAFF)
@audited("explanation_file_downloaded", model=Escalation, object_kwarg="pk")
def escalation_file(request, pk):
    escalation = get_visible_or_404(escalations_visible_to(user=request.user), pk=pk)
    if not escalation.explanation_file:
        raise Http404
    return serve_file(escalation.explanation_file, as_attachment=True)


@role_required(Role.DEPUTY)
def my_attendance(request):
    """The deputy's attendance history: one outcome per reception period [000 十一]."""
    deputy = _deputy_or_403(request)
    qs = (
        Attendance.objects.filter(deputy=deputy)
        .select_related("period", "activity")
        .order_by("-period__start")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reception/my_attendance.html", {"page": page})


# --- Home panels --------------------------------------------------------------------------------------


def deputy_panel(request):
    """Cached under the versions of the panel's rows (reception.panel_version), with the day (what
    is upcoming) and the language in the key."""
    deputy = deputy_for_request(request)
    if deputy is None:
        return ""
    today = timezone.localdate()
    html = cached_result(
        names=panel_names(deputy), parts=("reception:deputy-panel", deputy.pk, deputy.district_id, get_language(),
                                          today.isoformat()),
        compute=lambda: render_to_string("reception/panel_deputy.html", deputy_home(deputy=deputy, today=today), request),
    )
    return mark_safe(html)  # noqa: S308


def queue_panel(request):
    user = request.user
    today = timezone.localdate()
    # Both counts in one pass over the activities that can count: upcoming, or open (the WHERE
    # lets the indexes activity_date and activity_open_date pick them out of the term's activities).
    is_open = Q(status__in=[Activity.Status.PLANNED, Activity.Status.ANNOUNCED])
    ctx = activities_manageable_by(user=user).filter(Q(date__gte=today) | is_open).order_by().aggregate(
        upcoming=Count("pk", filter=Q(date__gte=today) & ~Q(status=Activity.Status.CANCELLED)),
        to_log=Count("pk", filter=Q(date__lte=today) & is_open),
    )
    ctx["is_staff"] = user.role == Role.ORG_STAFF
    if ctx["is_staff"]:
        # The three queues' counts in one query.
        ctx.update(count_each(
            leave=leave_requests_visible_to(user=user).filter(status=LeaveRequest.Status.PENDING),
            invitations=invitations_visible_to(user=user).filter(status=Invitation.Status.PENDING),
            owed=escalations_visible_to(user=user).exclude(status=Escalation.Status.RESOLVED),
        ))
    return render_to_string("reception/panel_queue.html", ctx, request)
