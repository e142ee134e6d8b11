"""PrivacyRequest comes from the liaison app (liaison 0010) with its table, which keeps its name
liaison_privacyrequest (Meta.db_table): the model is created in the state only, no row moves.

The content type row is renamed liaison → cases with its id kept, so the permissions (which point
at it) and anything else that refers to it follow. The nightly retention job moved with it
(liaison.tasks → cases.tasks): beat's table keeps the task name it was seeded with
(liaison.beat.SeedingDatabaseScheduler), so the row is renamed too."""

import django.db.models.deletion
from django.db import migrations, models

MODEL = 'privacyrequest'
OLD_TASK = 'liaison.tasks.resident_data_retention_task'
NEW_TASK = 'cases.tasks.resident_data_retention_task'


def _rename_content_type(apps, old_app, new_app):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    if ContentType.objects.filter(app_label=new_app, model=MODEL).exists():
        return  # already there (created by a post-migrate run): leave both as they are
    ContentType.objects.filter(app_label=old_app, model=MODEL).update(app_label=new_app)
    ContentType.objects.clear_cache()


def _rename_task(apps, old, new):
    PeriodicTask = apps.get_model('django_celery_beat', 'PeriodicTask')
    PeriodicTask.objects.filter(task=old).update(task=new)


def forwards(apps, schema_editor):
    _rename_content_type(apps, 'liaison', 'cases')
    _rename_task(apps, OLD_TASK, NEW_TASK)


def backwards(apps, schema_editor):
    _rename_content_type(apps, 'cases', 'liaison')
    _rename_task(apps, NEW_TASK, OLD_TASK)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_case_export_job_on_export_job_base'),
        ('liaison', '0010_privacyrequest_to_cases'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PrivacyRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('access', 'See my personal information'), ('correct', 'Correct my personal information'), ('delete', 'Delete my personal information')], max_length=10, verbose_name='kind')),
                        ('status', models.CharField(choices=[('pending', 'waiting for the code'), ('done', 'done'), ('refused', 'refused')], default='pending', max_length=10, verbose_name='status')),
                        ('phone_digest', models.CharField(db_index=True, max_length=64, verbose_name='phone digest')),
                        ('phone_masked', models.CharField(max_length=20, verbose_name='phone (masked)')),
                        ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('code_digest', models.CharField(blank=True, max_length=64, verbose_name='code digest')),
                        ('code_expires_at', models.DateTimeField(blank=True, null=True, verbose_name='code expires at')),
                        ('code_attempts', models.PositiveSmallIntegerField(default=0, verbose_name='wrong codes entered')),
                        ('case_count', models.PositiveIntegerField(default=0, verbose_name='cases concerned')),
                        ('detail', models.JSONField(blank=True, default=dict, verbose_name='detail')),
                        ('outcome', models.CharField(blank=True, max_length=200, verbose_name='outcome')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified at')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                        ('verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='follow_ups', to='cases.privacyrequest', verbose_name='verified by request')),
                    ],
                    options={
                        'verbose_name': 'personal information request',
                        'verbose_name_plural': 'personal information requests',
                        'db_table': 'liaison_privacyrequest',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['status', 'created_at'], name='privacy_req_status_created')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
