"""PrivacyRequest moves to the cases app (cases 0013 takes it over in the state). Its table
liaison_privacyrequest stays where it is: this removes the model from liaison's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('liaison', '0009_background_export_and_export_job_base'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PrivacyRequest')],
            database_operations=[],
        ),
    ]
