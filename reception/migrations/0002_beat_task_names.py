"""The periodic reception jobs moved from offices.tasks to reception.tasks (issue 13). Beat's table is
the master of the schedule once seeded (liaison.beat), so its rows are renamed here, keeping
whatever times staff set in the admin."""

from django.db import migrations

RENAMED = {
    "offices.tasks.reception_reminders_task": "reception.tasks.reception_reminders_task",
    "offices.tasks.periods_close_due": "reception.tasks.periods_close_due",
    "offices.tasks.reception_periods_ahead": "reception.tasks.reception_periods_ahead",
}


def _rename(apps, mapping):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in mapping.items():
        PeriodicTask.objects.filter(task=old).update(task=new)


def tasks_to_reception(apps, schema_editor):
    _rename(apps, RENAMED)


def tasks_to_offices(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("reception", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(tasks_to_reception, tasks_to_offices),
    ]
