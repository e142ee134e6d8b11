"""ReceptionPeriod moved from offices to reception (issue 13): the foreign key follows it in the
migration state only; the table and its column are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_privacyrequest_from_liaison'),
        ('reception', '0001_initial'),
    ]

    # offices' 0008 takes ReceptionPeriod out of its state: this key must point away first.
    run_before = [
        ('offices', '0008_reception_models_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='publicsubmission',
                    name='reception_period',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reception.receptionperiod', verbose_name='reception period'),
                ),
            ],
        ),
    ]
