import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from offices.models import Contact, ContactVisit
from scoring.models import RuleItem

DAY = datetime.date(2026, 5, 12)
# A real 2 × 2 PNG: uploads must open as pictures (liaison.lib.uploads).
PNG = b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00\xfd\xd4\x9as\x00\x00\x00\x16IDATx\x9cc\xfc\xcf\xc0\xc0\xc0\xc0\xc0\xc4\xc0\xc0\xc0\xc0\xc0\x00\x00\r\x1d\x01\x03j\xc2\x9b\xe9\x00\x00\x00\x00IEND\xaeB`\x82'


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
