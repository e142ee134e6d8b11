import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from offices.models import Contact, ContactVisit
from scoring.models import RuleItem
from tests.base import PNG

DAY = datetime.date(2026, 5, 12)



def photo(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def make_record(deputy, n=0):
    contact = Contact.objects.create(deputy=deputy, name=f"居民{n}")
    return ContactVisit.objects.create(contact=contact, date=DAY)


def yantian_item(number, variant=""):
    return RuleItem.objects.get(rule_set__code="yantian", rule_set__version=1, number=number, variant=variant)


def total_of(deputy, year=2026):
    from scoring.selectors import standings_compute

    return next(r.total for r in standings_compute(year=year) if r.deputy_id == deputy.pk)
