"""Writes of the public online office: a resident's appointment or opinion becomes a case through
cases.services.case_register (actor=None), with the acknowledged privacy-notice version kept."""

from django.db import transaction
from django.utils import timezone

from liaison.privacy import NOTICE_VERSION

from .models import Channel, PublicSubmission


@transaction.atomic
def public_submit(*, office, kind, category, title, content, mobile, name="", address="", preferred_date=None,
                  reception_period=None, notice_version=NOTICE_VERSION):
    from .services import case_register

    is_appointment = kind == PublicSubmission.Kind.APPOINTMENT
    case = case_register(
        office=office,
        channel=Channel.APPOINTMENT if is_appointment else Channel.ONLINE,
        category=category,
        title=title,
        content=content,
        reporter_name=name,
        reporter_mobile=mobile,
        reporter_address=address,
        actor=None,
    )
    PublicSubmission.objects.create(
        case=case,
        kind=kind,
        reception_period=reception_period if is_appointment else None,
        preferred_date=preferred_date if is_appointment else None,
        notice_version=notice_version,
        acknowledged_at=timezone.now(),
    )
    return case
