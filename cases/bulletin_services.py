"""Publishing the year-end review as a bulletin 通报 [000 七] (SPEC §3: "published as a bulletin
and exported to Excel"). The figures are computed by the same selector as the staff page, for the
publisher's scope, and frozen in the bulletin."""

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.models import Role, User
from liaison.services import audit_record, notices_send

from .models import CITY_SCOPE, ReviewBulletin
from .review_selectors import as_reviews, unit_review_queryset


def bulletin_rows(*, user, year, district=None):
    """The units that received dispatches in the year, in the publisher's scope (narrowed to one
    district when given), busiest first, as plain dicts."""
    units = unit_review_queryset(user=user, year=year, district=district.pk if district else None)
    return [asdict(r) for r in as_reviews(units) if r.received]


def bulletin_publish(*, user, year, district, title, foreword="", request=None):
    """Publish the bulletin of `year` for one district (or the whole city when `district` is None,
    which only city staff may do), notify the handlers of the units in it, and audit it. A bulletin
    already published for the same year and scope stays: this one is the next revision."""
    if user.role != Role.ORG_STAFF and not user.is_superuser:
        raise ValidationError(_("Only organization department staff publish review bulletins."))
    own_district = user.staff_district_id
    if own_district is not None and (district is None or district.pk != own_district):
        raise ValidationError(_("District staff publish bulletins for their own district only."))
    rows = bulletin_rows(user=user, year=year, district=district)
    if not rows:
        raise ValidationError(_("No unit received a dispatched case in %(year)s here: there is nothing to publish.")
                              % {"year": year})
    scope = str(district.pk) if district else CITY_SCOPE
    try:
        with transaction.atomic():
            last = ReviewBulletin.objects.filter(year=year, scope=scope).aggregate(n=Max("revision"))["n"] or 0
            bulletin = ReviewBulletin.objects.create(
                year=year, district=district, scope=scope, revision=last + 1, title=title, foreword=foreword,
                rows=rows, published_by=user,
            )
            handlers = User.objects.filter(
                role=Role.UNIT_HANDLER, is_active=True, unit_id__in=[r["unit_id"] for r in rows]
            ).values_list("pk", flat=True)
            notices_send(
                users=list(handlers), url=reverse("case_reports:bulletin_detail", args=[bulletin.pk]),
                text=_("The year-end review bulletin has been published: %(title)s") % {"title": title},
            )
    except IntegrityError:
        # Two staff published the same year and scope at the same moment: one of them wins.
        raise ValidationError(
            _("Another bulletin for this year and scope was published a moment ago. Open the list, check it, "
              "and publish again if a revision is still needed.")
        ) from None
    audit_record(action="review_bulletin_published", request=request, actor=user, obj=bulletin,
                 year=year, scope=scope, revision=bulletin.revision, units=len(rows))
    return bulletin
