"""Pages for proposals, motions and inquiries. One view per transition: GET shows the form of the
move, POST calls the service and turns its ValidationError into a message on the same form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liaison.lib.params import year_param
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.lib.views import show_error
from liaison.models import Role
from offices.selectors import deputies_visible_to, deputy_for_user, units_visible_to

from . import proposal_services as services
from .deadline_selectors import flag, proposal_dispatch_overdue_q, proposal_is_overdue, proposal_overdue_q
from .models.proposals import (
    Inquiry,
    ProposalCosigner,
    ProposalDispatch,
    ProposalEvent,
    ProposalKind,
    ProposalStatus,
)
from .proposal_forms import DispatchForm, EvaluateForm, InquiryForm, ProposalFileForm, ReasonForm, ReplyForm
from .proposal_selectors import inquiries_visible_to, inquiries_writable_by, proposals_visible_to

# Organization staff only: the system administrator runs accounts, not deputies' business
# (separation of duties).
STAFF_ROLES = (Role.ORG_STAFF,)
PROPOSAL_ROLES = (Role.DEPUTY, Role.LIAISON, Role.UNIT_HANDLER, *STAFF_ROLES)
INQUIRY_ROLES = (Role.DEPUTY, Role.LIAISON, Role.UNIT_HANDLER, *STAFF_ROLES)


@role_required(*PROPOSAL_ROLES)
def proposal_list(request):
    qs = proposals_visible_to(user=request.user).annotate(
        n_confirmed=Count("cosigner_links", filter=Q(cosigner_links__status=ProposalCosigner.Status.CONFIRMED),
                          distinct=True),
        n_units=Count("dispatches", filter=Q(dispatches__round=F("dispatch_round")), distinct=True),
        late=flag(proposal_overdue_q()),
    )
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        qs = qs.filter(proposal_overdue_q())
    status, kind, q = request.GET.get("status", ""), request.GET.get("kind", ""), request.GET.get("q", "").strip()
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    if kind in ProposalKind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(lead__name__icontains=q) | Q(lead__name_initials__icontains=q))
    page = Paginator(qs.order_by("-created_at", "-id"), 25).get_page(request.GET.get("page"))
    requests = []
    if request.user.role == Role.DEPUTY:
        requests = list(
            ProposalCosigner.objects.filter(
                deputy__user=request.user, status=ProposalCosigner.Status.INVITED, proposal__status=ProposalStatus.COSIGNING
            ).select_related("proposal", "proposal__lead")
        )
    return render(
        request, "cases/proposal_list.html",
        {
            "page": page, "cosign_requests": requests, "statuses": ProposalStatus.choices, "kinds": ProposalKind.choices,
            "status": status, "kind": kind, "q": q, "is_deputy": request.user.role == Role.DEPUTY, "overdue": overdue,
        },
    )


@role_required(Role.DEPUTY)
def proposal_file(request):
    lead = deputy_for_user(request.user)
    if lead is None:
        raise PermissionDenied
    form = ProposalFileForm(request.POST or None, lead=lead)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            proposal = services.proposal_file(
                lead=lead, kind=d["kind"], title=d["title"], content=d["content"],
                cosigners=list(d["cosigners"]), actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("Saved."))
            return redirect(proposal.get_absolute_url())
    return render(request, "cases/proposal_form.html", {"form": form})


def _proposal(request, pk):
    return get_visible_or_404(proposals_visible_to(user=request.user), pk=pk)


@role_required(*PROPOSAL_ROLES)
def proposal_detail(request, pk):
    proposal = _proposal(request, pk)
    links = list(proposal.cosigner_links.select_related("deputy"))
    me = deputy_for_user(request.user)
    my_link = next((link for link in links if me and link.deputy_id == me.pk), None)
    events = ProposalEvent.objects.filter(proposal=proposal)
    today = timezone.localdate()
    shares = (
        ProposalDispatch.objects.filter(proposal=proposal).select_related("unit")
        .annotate(is_overdue=flag(proposal_dispatch_overdue_q(today)))
    )
    if request.user.role == Role.UNIT_HANDLER:
        # A unit sees its own share, not the other units' replies (as for cases).
        shares = shares.filter(unit_id=request.user.unit_id)
    actions = [a for a in services.PROPOSAL_TRANSITIONS if services.proposal_can(a, proposal=proposal, user=request.user)]
    return render(
        request, "cases/proposal_detail.html",
        {
            "proposal": proposal, "links": links, "events": events, "actions": actions, "shares": shares,
            "is_overdue": any(d.is_overdue for d in shares) if request.user.role == Role.UNIT_HANDLER
            else proposal_is_overdue(proposal),
            "can_cosign": my_link is not None and proposal.status == ProposalStatus.COSIGNING,
            "my_link": my_link,
        },
    )


@role_required(Role.DEPUTY)
@require_POST
def proposal_cosign(request, pk):
    proposal = _proposal(request, pk)
    me = deputy_for_user(request.user)
    try:
        services.cosign_respond(
            proposal=proposal, deputy=me, confirm=request.POST.get("answer") == "confirm", actor=request.user
        )
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("Your answer was recorded."))
    return redirect(proposal.get_absolute_url())


_ACTION_TITLES = {
    "submit": (gettext_lazy("File the motion"), gettext_lazy("File")),
    "withdraw": (gettext_lazy("Withdraw"), gettext_lazy("Withdraw")),
    "dispatch": (gettext_lazy("Dispatch to units"), gettext_lazy("Dispatch")),
    "reply": (gettext_lazy("Reply"), gettext_lazy("Send reply")),
    "evaluate": (gettext_lazy("Evaluate the reply"), gettext_lazy("Save evaluation")),
}


def _transition(request, pk, action):
    proposal = _proposal(request, pk)
    if not services.proposal_can(action, proposal=proposal, user=request.user):
        # Not theirs to move at all: 403. Theirs but not in a state for it: the reason, on the page.
        if not services.proposal_actor_may(action, proposal=proposal, user=request.user):
            raise PermissionDenied
        if request.method == "POST":
            messages.error(request, _("This action is not possible now."))
            return redirect(proposal.get_absolute_url())
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    if action == "dispatch":
        form = DispatchForm(data, units=units_visible_to(user=request.user).filter(is_active=True))
    elif action == "reply":
        form = ReplyForm(data)
    elif action == "evaluate":
        form = EvaluateForm(data)
    else:
        form = ReasonForm(data)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if action == "submit":
                services.motion_submit(proposal=proposal, actor=request.user)
            elif action == "withdraw":
                services.proposal_withdraw(proposal=proposal, actor=request.user, reason=d["reason"])
            elif action == "dispatch":
                services.proposal_dispatch(
                    proposal=proposal, units=list(d["units"]), deadline=d["deadline"], instructions=d["instructions"],
                    actor=request.user,
                )
            elif action == "reply":
                services.proposal_reply(proposal=proposal, result=d["result"], reply=d["reply"], actor=request.user)
            elif action == "evaluate":
                services.proposal_evaluate(
                    proposal=proposal, evaluation=d["evaluation"], note=d["note"], actor=request.user
                )
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("Saved."))
            return redirect(proposal.get_absolute_url())
    title, button = _ACTION_TITLES[action]
    return render(
        request, "cases/proposal_action.html",
        {"proposal": proposal, "form": form, "title": title, "button": button, "action": action},
    )


def _make_transition_view(action, roles):
    @role_required(*roles)
    def view(request, pk):
        return _transition(request, pk, action)

    view.__name__ = f"proposal_{action}"
    return view


proposal_submit = _make_transition_view("submit", (Role.DEPUTY,))
proposal_withdraw = _make_transition_view("withdraw", (Role.DEPUTY,))
proposal_dispatch = _make_transition_view("dispatch", STAFF_ROLES)
proposal_reply = _make_transition_view("reply", (Role.UNIT_HANDLER,))
proposal_evaluate = _make_transition_view("evaluate", (Role.DEPUTY,))


# ---------------------------------------------------------------- inquiries


@role_required(*INQUIRY_ROLES)
def inquiry_list(request):
    qs = inquiries_visible_to(user=request.user)
    kind, year, q = request.GET.get("kind", ""), year_param(request), request.GET.get("q", "").strip()
    if kind in Inquiry.Kind.values:
        qs = qs.filter(kind=kind)
    if year is not None:
        qs = qs.filter(date__year=year)
    if q:
        qs = qs.filter(Q(topic__icontains=q) | Q(target_unit__name__icontains=q))
    qs = qs.annotate(n_participants=Count("participants", distinct=True)).order_by("-date", "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request, "cases/inquiry_list.html",
        {
            "page": page, "kinds": Inquiry.Kind.choices, "kind": kind, "year": year or "", "q": q,
            "can_record": request.user.role in STAFF_ROLES or request.user.is_superuser,
        },
    )


@role_required(*INQUIRY_ROLES)
def inquiry_detail(request, pk):
    inquiry = get_visible_or_404(
        inquiries_visible_to(user=request.user).prefetch_related(Prefetch("participants")), pk=pk
    )
    return render(
        request, "cases/inquiry_detail.html",
        {"inquiry": inquiry, "can_edit": inquiries_writable_by(user=request.user).filter(pk=inquiry.pk).exists()},
    )


def _inquiry_form(request, instance=None):
    return InquiryForm(
        request.POST or None, instance=instance,
        units=units_visible_to(user=request.user),
        deputies=deputies_visible_to(user=request.user).filter(status="serving"),
    )


@role_required(*STAFF_ROLES)
def inquiry_create(request):
    form = _inquiry_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = services.inquiry_record(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("Saved."))
            return redirect(inquiry.get_absolute_url())
    return render(request, "cases/inquiry_form.html", {"form": form})


@role_required(*STAFF_ROLES)
def inquiry_edit(request, pk):
    # The write scope, not the read one: district staff read the city-level events their deputies
    # took part in but do not correct them.
    inquiry = get_visible_or_404(inquiries_writable_by(user=request.user), pk=pk)
    form = _inquiry_form(request, instance=inquiry)
    if request.method == "POST" and form.is_valid():
        try:
            services.inquiry_update(inquiry=inquiry, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("Saved."))
            return redirect(inquiry.get_absolute_url())
    return render(request, "cases/inquiry_form.html", {"form": form, "inquiry": inquiry})
