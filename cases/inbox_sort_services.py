"""The unit inbox's sort keys kept on each share (CaseDispatch.district_name, .office_name): the
case's district and office names, so that the inbox sorted by district or by office reads a page
from the indexes dispatch_*_unit_district / dispatch_*_unit_office instead of joining every share
of the unit to its case, office and district and sorting them all (57,000 shares of a big unit at
10x, 0.3-0.6 s a page, issue 10).

The copies are kept where the names can change:

- a new share takes its case's names (`share_sort_keys`): the services that create shares
  (case_dispatch, dispatch_redispatch) pass them to the share's constructor; a source scan test
  (tests/cases/test_inbox_sorts.py) fails on a service that builds a share without them;
- a renamed office or district renames its shares' copies in one UPDATE (`sort_keys_follow_office`,
  `sort_keys_follow_district`), run by a task after the commit of any save that changes the name
  (the admin, the roster import), through the receivers connected in cases.apps: offices sits
  below cases and cannot call them itself. The task reads the current name, so two renames in a
  row end with the last one whatever order their tasks run in. Names, not a rank: a rename touches only the shares of what was renamed, and the
  order by name is the database's own collation, as it was through the join;
- a case's office and district are set once, when it is registered (the admin shows cases
  read-only), so no case move changes them;
- bulk loads that bypass the services (bench/generate.py, the data migration) fill every share in
  one UPDATE ... FROM (`sort_keys_fill`).
"""

from django.db import connection, transaction

from offices.models import Jurisdiction, Office

from . import tasks
from .models import Case, CaseDispatch


def share_sort_keys(case):
    """The sort keys of a new share of `case`, as keyword arguments of CaseDispatch: one query
    for both names (the case's district may be empty)."""
    district_name, office_name = (
        Case.objects.filter(pk=case.pk).values_list("district__name", "office__name").get()
    )
    return {"district_name": district_name, "office_name": office_name}


def sort_keys_follow_office(*, office):
    """After an office is saved: its cases' shares take its name, when it changed (the exclusion
    writes nothing on a save that kept the name). Returns the shares renamed."""
    return (
        CaseDispatch.objects.filter(case__office_id=office.pk)
        .exclude(office_name=office.name)
        .update(office_name=office.name)
    )


def sort_keys_follow_district(*, jurisdiction):
    """After a jurisdiction is saved: the shares of the cases of that district take its name, when
    it changed. Only districts are cases' districts; any other level matches no case."""
    return (
        CaseDispatch.objects.filter(case__district_id=jurisdiction.pk)
        .exclude(district_name=jurisdiction.name)
        .update(district_name=jurisdiction.name)
    )


def sort_keys_follow(*, office_id=None, district_id=None):
    """The task's body: the office or district by id (gone: nothing to follow)."""
    if office_id is not None:
        office = Office.objects.filter(pk=office_id).first()
        return sort_keys_follow_office(office=office) if office else 0
    district = Jurisdiction.objects.filter(pk=district_id).first()
    return sort_keys_follow_district(jurisdiction=district) if district else 0


def name_before_save(sender, instance, raw=False, **kwargs):
    """pre_save receiver of Office and Jurisdiction (connected in cases.apps): the stored name, so
    that the save after it knows whether the name changes. Without it every save (a district's
    contact minimum edited) would look for shares to rename: 0.5 s over a district's 68,000
    shares at 10x."""
    if instance.pk and not raw:
        instance._inbox_name_before = sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()


def _renamed(instance, created, raw):
    before = getattr(instance, "_inbox_name_before", None)
    return not created and not raw and before is not None and before != instance.name


def office_saved(sender, instance, created, raw=False, **kwargs):
    """post_save receiver of Office: a renamed office's shares follow, in a task after the commit.
    A new office has no cases yet; fixtures (raw) load the shares as they were."""
    if _renamed(instance, created, raw):
        transaction.on_commit(lambda: tasks.inbox_sort_keys_follow_task.delay(office_id=instance.pk))


def jurisdiction_saved(sender, instance, created, raw=False, **kwargs):
    """post_save receiver of Jurisdiction: the shares of a renamed district's cases follow, in a
    task: 68,000 shares and their indexes rewritten take about 10 s at 10x, too long for the admin's
    request; the inbox sorts by the old name until the task has run (seconds). Only districts are
    cases' districts; any other level matches no share."""
    if _renamed(instance, created, raw):
        transaction.on_commit(lambda: tasks.inbox_sort_keys_follow_task.delay(district_id=instance.pk))


def sort_keys_fill(*, dispatch_model=None, case_model=None, office_model=None, jurisdiction_model=None):
    """Every share takes its case's names in one UPDATE ... FROM (PostgreSQL and SQLite >= 3.33):
    after bulk loads that bypass the services, and for the shares there before the columns
    (migration 0021; a correlated subquery per share was the alternative). The models default to
    the current ones; a data migration passes its historical models. Returns the rows written."""
    q = connection.ops.quote_name
    dispatch = q((dispatch_model or CaseDispatch)._meta.db_table)
    case = q((case_model or Case)._meta.db_table)
    office = q((office_model or Office)._meta.db_table)
    district = q((jurisdiction_model or Jurisdiction)._meta.db_table)
    sql = (
        f"UPDATE {dispatch} AS d SET office_name = o.name, district_name = j.name "
        f"FROM {case} AS c JOIN {office} AS o ON o.id = c.office_id LEFT JOIN {district} AS j ON j.id = c.district_id "
        "WHERE c.id = d.case_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount

