"""Writes of the public online office: a resident's appointment or opinion becomes a case through
cases.services.case_register (actor=None), with the acknowledged privacy-notice version kept.

The rules hold whatever the form offered: a booking names one of the office's open half-days
(reception.opening_selectors), the deputy addressed serves at the office, photos pass the content
check within the public limits."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reception.opening_selectors import office_open_half_days, open_half_day_refusal, reception_period_on

from .models import Channel, PublicSubmission
from .privacy_notice import NOTICE_VERSION
from .public_photo_services import photo_check
from .public_selectors import office_public_deputy
from .services import case_register


def _check_booking(*, office, preferred_date, preferred_half, today):
    if preferred_date is None:
        # Without a day the office calls the resident back; allowed only when it offers none.
        if office_open_half_days(office, today=today):
            raise ValidationError(_("Pick the half-day you would like to come."), code="required")
        return
    refusal = open_half_day_refusal(office, date=preferred_date, half=preferred_half, today=today)
    if refusal:
        raise ValidationError(refusal, code="closed")


def _check_photos(photos):
    if len(photos) > settings.PUBLIC_PHOTOS_MAX:
        raise ValidationError(
            _("At most %(max)s photos."), params={"max": settings.PUBLIC_PHOTOS_MAX}, code="too_many"
        )
    for photo in photos:
        photo_check(photo)


@transaction.atomic
def public_submit(*, office, kind, category, title, content, mobile, name="", address="", location="",
                  deputy=None, preferred_date=None, preferred_half="", photos=(), notice_version=NOTICE_VERSION,
                  today=None):
    is_appointment = kind == PublicSubmission.Kind.APPOINTMENT
    if is_appointment:
        _check_booking(office=office, preferred_date=preferred_date, preferred_half=preferred_half,
                       today=today or timezone.localdate())
    else:
        preferred_date, preferred_half = None, ""
    if deputy is not None and office_public_deputy(office, deputy.pk) is None:
        raise ValidationError(_("This deputy does not serve at this office."), code="not_at_office")
    photos = list(photos)
    _check_photos(photos)
    case = case_register(
        office=office,
        channel=Channel.APPOINTMENT if is_appointment else Channel.ONLINE,
        category=category,
        title=title,
        content=content,
        reporter_name=name,
        reporter_mobile=mobile,
        reporter_address=address,
        attachments=photos,
        actor=None,
    )
    PublicSubmission.objects.create(
        case=case,
        kind=kind,
        reception_period=reception_period_on(office, preferred_date),
        preferred_date=preferred_date,
        preferred_half=preferred_half if preferred_date else "",
        deputy=deputy,
        location=location,
        notice_version=notice_version,
        acknowledged_at=timezone.now(),
    )
    return case
