"""Pages of a unit's moves on its own share of a dispatch (签收, 退回, 申请延期) and of staff's answers
(approve or refuse an extension, re-dispatch or close a returned share). One view per move: GET
shows what the move will do, POST calls cases.dispatch_services and turns its domain error into
a message.

Who reaches what: a unit handler only the shares of their own unit (any other is a 404); staff
only the shares and requests of cases cases.selectors.cases_visible_to gives them (another
district's are a 404); every other role gets 403.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.lib.http import no_store
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.lib.transitions import check_transition
from liaison.lib.views import show_error
from liaison.models import Role
from offices.selectors import units_visible_to

from . import dispatch_services as services
from . import workflow
from .dispatch_forms import CloseForm, DecisionForm, ExtensionForm, RedispatchForm, ReturnForm, SignForm
from .models import CaseDispatch, DeadlineExtension, Status
from .selectors import cases_visible_to
from .views import run_move as _run


def _unit_share(request, pk):
    qs = CaseDispatch.objects.filter(unit_id=request.user.unit_id) if request.user.unit_id else CaseDispatch.objects.none()
    return get_visible_or_404(qs.select_related("case", "case__office", "unit"), pk=pk)


def _staff_share(request, pk):
    qs = CaseDispatch.objects.filter(case__in=cases_visible_to(user=request.user).values("pk"))
    return get_visible_or_404(qs.select_related("case", "case__office", "unit", "returned_by"), pk=pk)


def _staff_extension(request, pk):
    qs = DeadlineExtension.objects.filter(dispatch__case__in=cases_visible_to(user=request.user).values("pk"))
    return get_visible_or_404(
        qs.select_related("dispatch", "dispatch__case", "dispatch__case__office", "dispatch__unit", "requested_by"), pk=pk
    )


EXPLAIN = {
    "sign": gettext_lazy("Your unit acknowledges receipt of the case; the time is recorded and the staff who "
                         "dispatched it are told."),
    "return": gettext_lazy("The case goes back to the organization department's staff of its district with your "
                           "reason, for them to dispatch it to the right unit. Your unit no longer handles it."),
    "extend": gettext_lazy("The staff of the case's district decide. Until they approve, the current deadline "
                           "stands."),
    "redispatch": gettext_lazy("The chosen units get the case in the same dispatch round, with this deadline; "
                               "their handlers are told."),
    "close": gettext_lazy("The returned share is closed without another unit: the other units of this round "
                          "cover the case. Once they have all replied, the case moves on to feedback."),
    "approve": gettext_lazy("The unit's reply deadline becomes the requested date; overdue lists and reminders "
                            "follow it. The unit's handlers are told (by SMS where they have a mobile)."),
    "refuse": gettext_lazy("The current deadline stands. The unit's handlers are told why (by SMS where they have a "
                           "mobile)."),
}
BUTTONS = {
    "sign": gettext_lazy("Sign for receipt"),
    "return": gettext_lazy("Return to staff"),
    "extend": gettext_lazy("Send the request"),
    "redispatch": gettext_lazy("Re-dispatch"),
    "close": gettext_lazy("Close the returned share"),
    "approve": gettext_lazy("Approve"),
    "refuse": gettext_lazy("Refuse"),
}


def _share_form(action, request, share):
    data = request.POST if request.method == "POST" else None
    if action == "sign":
        return SignForm(data)
    if action == "return":
        return ReturnForm(data)
    if action == "extend":
        return ExtensionForm(data, deadline=share.deadline)
    if action == "redispatch":
        units = units_visible_to(user=request.user).filter(is_active=True).order_by("name")
        return RedispatchForm(data, units=units)
    return CloseForm(data)


def _share_call(action, share, d, user):
    if action == "sign":
        return services.dispatch_sign(dispatch=share, actor=user)
    if action == "return":
        return services.dispatch_return(dispatch=share, reason=d["reason"], actor=user)
    if action == "extend":
        return services.extension_request(dispatch=share, new_deadline=d["new_deadline"], reason=d["reason"], actor=user)
    if action == "redispatch":
        return services.dispatch_redispatch(dispatch=share, units=list(d["units"]), deadline=d["deadline"],
                                            instructions=d["instructions"], actor=user)
    return services.dispatch_close(dispatch=share, note=d["note"], actor=user)


def _share_move(request, pk, action, fetch):
    share = fetch(request, pk)
    case = share.case
    transition = workflow.DISPATCH_TRANSITIONS[action]
    try:
        check_transition(transition, share, workflow.SHARE_ILLEGAL,
                         possible=share.round == case.dispatch_round and case.status == Status.DISPATCHED)
    except ValidationError as exc:
        show_error(request, exc)
        return redirect(case.get_absolute_url())
    form = _share_form(action, request, share)
    if request.method == "POST" and form.is_valid():
        response = _run(request, case=case, form=form, done=_("Done: %(action)s.") % {"action": transition.label},
                        call=lambda: _share_call(action, share, form.cleaned_data, request.user))
        if response is not None:
            return response
    return render(request, "cases/dispatch_move.html", {
        "case": case, "share": share, "form": form, "title": transition.label, "button": BUTTONS[action],
        "explain": EXPLAIN[action], "action": action,
        "pending_extension": share.extensions.filter(status=DeadlineExtension.Status.PENDING).first()
        if action == "extend" else None,
    })


def _make_share_view(action, role, fetch):
    @role_required(role)
    @no_store
    def view(request, pk):
        return _share_move(request, pk, action, fetch)

    view.__name__ = f"dispatch_{action}"
    view.__doc__ = f"The “{action}” move of a unit's share (cases.workflow.DISPATCH_TRANSITIONS)."
    return view


dispatch_sign = _make_share_view("sign", Role.UNIT_HANDLER, _unit_share)
dispatch_return = _make_share_view("return", Role.UNIT_HANDLER, _unit_share)
dispatch_extend = _make_share_view("extend", Role.UNIT_HANDLER, _unit_share)
dispatch_redispatch = _make_share_view("redispatch", Role.ORG_STAFF, _staff_share)
dispatch_close = _make_share_view("close", Role.ORG_STAFF, _staff_share)


def _decide(request, pk, action):
    extension = _staff_extension(request, pk)
    share, case = extension.dispatch, extension.dispatch.case
    transition = workflow.EXTENSION_TRANSITIONS[action]
    try:
        check_transition(transition, extension, workflow.EXTENSION_ILLEGAL)
    except ValidationError as exc:
        show_error(request, exc)
        return redirect(case.get_absolute_url())
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(data, note_required=action == "refuse")
    if request.method == "POST" and form.is_valid():
        service = services.extension_approve if action == "approve" else services.extension_refuse
        response = _run(request, case=case, form=form, done=_("Done: %(action)s.") % {"action": transition.label},
                        call=lambda: service(extension=extension, note=form.cleaned_data["note"], actor=request.user))
        if response is not None:
            return response
    return render(request, "cases/dispatch_move.html", {
        "case": case, "share": share, "extension": extension, "form": form, "title": transition.label,
        "button": BUTTONS[action], "explain": EXPLAIN[action], "action": action,
    })


@role_required(Role.ORG_STAFF)
@no_store
def extension_approve(request, pk):
    """Approve a unit's extension request (cases.workflow.EXTENSION_TRANSITIONS)."""
    return _decide(request, pk, "approve")


@role_required(Role.ORG_STAFF)
@no_store
def extension_refuse(request, pk):
    """Refuse a unit's extension request, with the reason."""
    return _decide(request, pk, "refuse")
