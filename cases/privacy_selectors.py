"""The queries of residents' personal-information requests and of the retention run
(cases.privacy_services): a resident's own cases, and the archived cases whose reporter data is due
for anonymization."""

from django.utils import timezone

from liaison.lib.validators import normalize_mobile

from . import rules
from .models import Case, Status


def resident_cases(*, phone):
    """The cases that carry this phone as the reporter's: the resident's own data, and only theirs."""
    phone = normalize_mobile(phone)
    if not phone:
        return Case.objects.none()
    return (
        Case.objects.filter(reporter_mobile=phone)
        .select_related("office", "category")
        .order_by("-received_on", "-id")
    )


def retention_cutoff(now=None):
    """The moment before which an archived case's personal data has been kept long enough."""
    now = now or timezone.now()
    years = rules.resident_data_retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def retention_due(cutoff):
    """Archived cases past the cutoff that still hold a reporter's personal data, oldest id first
    (the index case_status_changed serves it)."""
    return (
        Case.objects.filter(status=Status.ARCHIVED, status_changed_at__lt=cutoff)
        .exclude(reporter_name="", reporter_mobile="", reporter_address="")
        .order_by("pk")
    )
