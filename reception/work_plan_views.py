"""Pages of the yearly work plan [004 第十条] [004 第十二条(五)]: liaisons draw up, publish and revise
their offices' plans; staff see every office's plan status for a year and read any plan in their
scope; deputies read their office's published plans."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.params import year_param
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.lib.views import show_error
from liaison.models import Role
from offices.models import Deputy
from offices.selectors import jurisdictions_visible_to

from . import work_plan_services as services
from .models.work_plans import planning_year, publication_deadline
from .work_plan_forms import WorkPlanForm, WorkPlanItemFormSet
from .work_plan_selectors import (
    PLAN_STATES,
    work_plan_months,
    work_plan_offices,
    work_plan_status_counts,
    work_plan_status_rows,
    work_plans_manageable_by,
    work_plans_visible_to,
)

READERS = (Role.LIAISON, Role.ORG_STAFF, Role.DEPUTY)
PAGE_SIZE = 25


@role_required(Role.LIAISON, Role.DEPUTY)
def work_plan_list(request):
    """The plans of the viewer's offices by year; a liaison also sees which offices still lack one."""
    plans = list(work_plans_visible_to(user=request.user).order_by("-year", "office__name"))
    today = timezone.localdate()
    # From October on, the liaison works on next year's plan (published by 24 December).
    next_year = planning_year(today)
    missing = []
    if request.user.role == Role.LIAISON:
        planned = {p.office_id for p in plans if p.year == next_year}
        missing = [o for o in work_plan_offices(user=request.user) if o.pk not in planned]
    return render(
        request, "reception/work_plan_list.html",
        {"plans": plans, "missing": missing, "next_year": next_year, "deadline": publication_deadline(next_year),
         "liaison": request.user.role == Role.LIAISON},
    )


@role_required(Role.ORG_STAFF)
def work_plan_status(request):
    """Every office in the staff member's scope with its plan status for a year."""
    today = timezone.localdate()
    # From October on, staff follow next year's plans, which are due by 24 December.
    year = year_param(request, planning_year(today))
    districts = list(jurisdictions_visible_to(user=request.user).filter(level__in=("district", "new_district")))
    district = request.GET.get("district", "")
    district_id = int(district) if district.isdigit() and any(d.pk == int(district) for d in districts) else None
    state = request.GET.get("state", "")
    state = state if state in PLAN_STATES else ""
    search = request.GET.get("q", "").strip()[:100]
    base = work_plan_status_rows(user=request.user, year=year, district=district_id, search=search)
    rows = work_plan_status_rows(user=request.user, year=year, district=district_id, state=state, search=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "reception/work_plan_status.html",
        {"page": page, "year": year, "years": range(today.year + 1, today.year - 4, -1), "districts": districts,
         "counts": work_plan_status_counts(base), "deadline": publication_deadline(year),
         "f": {"district": district_id, "state": state, "q": search}},
    )


def _deputy_choices(office):
    return [
        (d.pk, f"{d.name}（{d.work_unit}）")
        for d in Deputy.objects.filter(memberships__team__office=office).order_by("name_initials")
    ]


def _items(formset):
    """The filled-in rows of the items formset (blank extra rows and deleted ones left out)."""
    fields = ("month", "kind", "title", "place", "deputies", "participants", "notes")
    return [
        {k: f.cleaned_data[k] for k in fields}
        for f in formset.forms
        if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _plan_form(request, offices, *, plan=None, initial=None, deputy_choices=()):
    data = request.POST if request.method == "POST" else None
    form = WorkPlanForm(data, offices=offices, plan=plan, initial=initial)
    items_initial = None
    if plan is not None:
        items_initial = [
            {"month": i.month, "kind": i.kind, "title": i.title, "place": i.place, "participants": i.participants,
             "notes": i.notes, "deputies": [d.pk for d in i.deputies.all()]}
            for i in plan.items.prefetch_related("deputies")
        ]
    formset = WorkPlanItemFormSet(
        data, initial=items_initial, prefix="items", form_kwargs={"deputy_choices": deputy_choices}
    )
    return form, formset


@role_required(Role.LIAISON)
def work_plan_create(request):
    offices = work_plan_offices(user=request.user)
    office_list = list(offices)
    office = next((o for o in office_list if str(o.pk) == request.POST.get("office", request.GET.get("office"))), None)
    office = office or (office_list[0] if len(office_list) == 1 else None)
    today = timezone.localdate()
    initial = {"office": office.pk if office else None, "year": year_param(request, planning_year(today))}
    # Deputies to pick come from the chosen office; with several offices the liaison picks the
    # office first (the page reloads with ?office=).
    form, formset = _plan_form(request, offices, initial=initial, deputy_choices=_deputy_choices(office) if office else [])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        try:
            plan = services.work_plan_create(
                office=d["office"], year=d["year"], goals=d["goals"], opening=d["opening"],
                opening_notes=d["opening_notes"], items=_items(formset), actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("The draft plan was saved. Publish it when it is ready."))
            return redirect(plan)
    return render(
        request, "reception/work_plan_form.html",
        {"form": form, "formset": formset, "plan": None, "offices": office_list, "office": office},
    )


@role_required(Role.LIAISON)
def work_plan_edit(request, pk):
    plan = get_visible_or_404(work_plans_manageable_by(user=request.user), pk=pk)
    initial = {"office": plan.office_id, "year": plan.year, "goals": plan.goals, "opening": plan.opening,
               "opening_notes": plan.opening_notes}
    offices = work_plan_offices(user=request.user)
    form, formset = _plan_form(
        request, offices, plan=plan, initial=initial, deputy_choices=_deputy_choices(plan.office)
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        try:
            services.work_plan_update(
                plan=plan, goals=d["goals"], opening=d["opening"], opening_notes=d["opening_notes"],
                items=_items(formset), revision_note=d.get("revision_note", ""), actor=request.user,
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(
                request, _("The revised plan was published.") if plan.is_published else _("The draft plan was saved.")
            )
            return redirect(plan)
    return render(request, "reception/work_plan_form.html", {"form": form, "formset": formset, "plan": plan})


@role_required(*READERS)
def work_plan_detail(request, pk):
    plan = get_visible_or_404(work_plans_visible_to(user=request.user), pk=pk)
    manager = work_plans_manageable_by(user=request.user).filter(pk=plan.pk).exists()
    months = work_plan_months(plan)
    return render(
        request, "reception/work_plan_detail.html",
        {"plan": plan, "months": months, "has_rows": any(m["items"] or m["held"] for m in months), "manager": manager,
         "show_held": request.user.role != Role.DEPUTY, "staff": request.user.role == Role.ORG_STAFF},
    )


@role_required(Role.LIAISON)
def work_plan_publish(request, pk):
    plan = get_visible_or_404(work_plans_manageable_by(user=request.user), pk=pk)
    now = timezone.now()
    if request.method == "POST":
        try:
            services.work_plan_publish(plan=plan, actor=request.user, now=now)
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("The plan was published on the office's public page."))
        return redirect(plan)
    return render(request, "reception/work_plan_publish.html", {"plan": plan, "late": plan.is_late_at(now)})
