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
  `sort_keys_follow_district`), on every save of the office or jurisdiction (the admin, the roster
  import), through the receivers connected in cases.apps: offices sits below cases and cannot call
  them itself. Names, not a rank: a rename touches only the shares of what was renamed, and the
  order by name is the database's own collation, as it was through the join;
- a case's office and district are set once, when it is registered (the admin shows cases
  read-only), so no case move changes them;
- bulk loads that bypass the services (bench/generate.py, the data migration) fill every share in
  one UPDATE ... FROM (`sort_keys_fill`).
"""

from django.db import connection

from offices.models import Jurisdiction, Office

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


def office_saved(sender, instance, created, raw=False, **kwargs):
    """post_save receiver of Office (connected in cases.apps): a new office has no cases yet, and
    fixtures (raw) load the shares as they were."""
    if not created and not raw:
        sort_keys_follow_office(office=instance)


def jurisdiction_saved(sender, instance, created, raw=False, **kwargs):
    """post_save receiver of Jurisdiction (connected in cases.apps)."""
    if not created and not raw:
        sort_keys_follow_district(jurisdiction=instance)


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


__all__ = [
    "jurisdiction_saved", "office_saved", "share_sort_keys", "sort_keys_fill", "sort_keys_follow_district",
    "sort_keys_follow_office",
]
