"""The attendance index carries the deputy as well: the attendance sheet's totals join a period
slot's rows with their deputies from the index alone (reception.attendance_selectors), as the
dashboard's chart and the escalation streak already read outcomes per period from it."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('offices', '0008_reception_models_moved'),
        ('reception', '0002_beat_task_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='attendance',
            name='attendance_period_outcome',
        ),
        migrations.AddIndex(
            model_name='attendance',
            index=models.Index(fields=['period', 'outcome', 'deputy'], name='attendance_period_outcome'),
        ),
    ]
