"""Cache versions (liaison.lib.versions) for what a deputy's pages show of cases: the case queue's
content and the home page's cases panel are cached under them and retired exactly when a case the
deputy reaches changes (issue 10: both pages spent ~15 ms of Python a request building the same
rows from an unchanged database).

A deputy reaches a case as its owner, as a deputy who received it, or as the leader of its
office's team (`cases.selectors.deputy_case_reach`, read live on every request). A cached result
depends on the versions of

- each of the viewer's deputy rows (`deputy_version`): bumped by a save or delete of a case they
  own or owned, and by a change of the cases they received;
- each office whose cases the viewer reaches otherwise (`office_version`): the offices they lead
  and the offices of the cases they received; bumped by a save or delete of any case of that
  office (before and after the save) and of any share (CaseDispatch) of such a case;
- the names shown beside the rows: the roster (offices.roster_version: deputies, teams,
  memberships), the offices (offices.roster_version.OFFICES) and the categories
  (`CATEGORIES`).

The writers: the receivers below (every save and delete through the ORM: services, the admin,
cascades) and `CaseQuerySet` / `CaseDispatchQuerySet` (cases.models) for the queryset writes that
send no signal (update, bulk_create, bulk_update). Raw SQL writes to cases or shares must call
`cases_changed` themselves; the only one, cases.inbox_sort_services.sort_keys_fill, writes the
shares' sort keys, which no deputy page shows (`UNSHOWN_FIELDS`).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from liaison.lib.versions import version_bump
from offices.roster_version import OFFICES, ROSTER

# The version of the category list, bumped by every save and delete of a category (CasesConfig):
# the queues' filter (queue_selectors.category_options) and the deputies' cached pages.
CATEGORIES = "case-categories"

# Columns no cached deputy read shows: a queryset update of only these retires nothing (the
# reporter's contact data, blanked by the privacy service; the shares' copied sort keys).
UNSHOWN_FIELDS = {
    "Case": frozenset({"reporter_name", "reporter_mobile", "reporter_address", "is_anonymous"}),
    "CaseDispatch": frozenset({"district_name", "office_name"}),
}


def deputy_version(deputy_id):
    return f"cases:deputy:{deputy_id}"


def office_version(office_id):
    return f"cases:office:{office_id}"


def reach_names(reach):
    """The version names a cached read over `reach` (a DeputyCaseReach) depends on."""
    offices = sorted(set(reach.office_ids) | set(reach.received_office_ids))
    return (
        ROSTER, OFFICES, CATEGORIES,
        *(deputy_version(pk) for pk in reach.deputy_ids), *(office_version(pk) for pk in offices),
    )


def cases_changed(*, deputy_ids=(), office_ids=()):
    """Retire the cached reads of the deputies and offices given (None entries are skipped)."""
    names = [deputy_version(pk) for pk in sorted({pk for pk in deputy_ids if pk is not None})]
    names += [office_version(pk) for pk in sorted({pk for pk in office_ids if pk is not None})]
    if names:
        version_bump(*names)


def rows_changed(rows):
    """`rows`: (office_id, owner_id) pairs of the cases written."""
    rows = list(rows)
    cases_changed(deputy_ids=[owner for _office, owner in rows], office_ids=[office for office, _owner in rows])


# ---------------------------------------------------------------- receivers


def _case_before_save(sender, instance, raw=False, **kwargs):
    """pre_save of Case: the stored owner and office when the instance does not carry them (a
    case read with those columns deferred, refreshed without them, or built by hand with a
    primary key; a new case has none stored)."""
    if raw or instance.pk is None or getattr(instance, "_reach_loaded", None) is not None:
        return
    instance._reach_loaded = sender._base_manager.filter(pk=instance.pk).values_list("office_id", "owner_id").first()


def _case_saved(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_reach_loaded", None) or (None, None)
    cases_changed(deputy_ids=[before[1], instance.owner_id], office_ids=[before[0], instance.office_id])
    # The next save of this instance starts from what it now stores.
    instance._reach_loaded = (instance.office_id, instance.owner_id)


def _case_deleted(sender, instance, **kwargs):
    cases_changed(deputy_ids=[instance.owner_id], office_ids=[instance.office_id])


def _received_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """received_by of a case (or received_cases of a deputy) changed: the deputies who gained or
    lost the case (no other deputy's page shows who received a case)."""
    if action == "pre_clear":
        # The rows about to go, read while they are there.
        related = instance.received_cases if reverse else instance.received_by
        instance._reach_cleared = set(related.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    pks = getattr(instance, "_reach_cleared", set()) if action == "post_clear" else set(pk_set or ())
    # Forward, `instance` is a case and `pks` are deputies; reverse, the other way round.
    cases_changed(deputy_ids=[instance.pk] if reverse else pks)


def _dispatch_case(instance):
    """(office_id, owner_id) of a share's case: from the case the instance holds, else one query."""
    case = instance._state.fields_cache.get("case")
    if case is not None and case.pk == instance.case_id:
        return [(case.office_id, case.owner_id)]
    cases = instance._meta.get_field("case").related_model._base_manager
    return cases.filter(pk=instance.case_id).values_list("office_id", "owner_id")


def _dispatch_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        rows_changed(_dispatch_case(instance))


def connect(*, case_model, dispatch_model):
    """Called by CasesConfig.ready with the two models (this module is imported by them)."""
    Case, CaseDispatch = case_model, dispatch_model  # noqa: N806
    pre_save.connect(_case_before_save, sender=Case, dispatch_uid="case-reach-before")
    post_save.connect(_case_saved, sender=Case, dispatch_uid="case-reach-save")
    post_delete.connect(_case_deleted, sender=Case, dispatch_uid="case-reach-delete")
    m2m_changed.connect(_received_changed, sender=Case.received_by.through, dispatch_uid="case-reach-received")
    post_save.connect(_dispatch_changed, sender=CaseDispatch, dispatch_uid="case-reach-dispatch-save")
    post_delete.connect(_dispatch_changed, sender=CaseDispatch, dispatch_uid="case-reach-dispatch-delete")
