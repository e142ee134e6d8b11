"""The staff escalation list reads its page of the newest escalations in index order
(escalation_list_order) instead of sorting every open escalation of the city."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('offices', '0008_reception_models_moved'),
        ('reception', '0003_attendance_index_covers_the_deputy'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='escalation',
            index=models.Index(fields=['created_at', 'id'], name='escalation_list_order'),
        ),
    ]
