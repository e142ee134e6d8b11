"""The beat scheduler: django-celery-beat's database scheduler, with settings.CELERY_BEAT_SCHEDULE
as the seed of its table rather than its master.

The stock scheduler rewrites every entry named in the settings each time beat starts, so a time
staff changed in the admin would silently come back. Here an entry is copied from the settings
only while the table has no task of that name; from then on the admin row is what runs."""

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


class SeedingDatabaseScheduler(DatabaseScheduler):
    def update_from_dict(self, mapping):
        known = set(PeriodicTask.objects.filter(name__in=list(mapping)).values_list("name", flat=True))
        super().update_from_dict({name: entry for name, entry in mapping.items() if name not in known})
