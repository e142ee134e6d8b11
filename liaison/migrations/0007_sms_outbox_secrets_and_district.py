"""The SMS outbox gets a district (for scoping it) and keeps secret parameters only sealed.
Existing rows: one-time codes already stored in clear are masked, and the district is filled in
where the recipient says it (a reception reminder's deputy, or the one deputy with that phone);
other rows stay without a district, which only city staff see."""

import re

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Max, OuterRef, Subquery

CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
MASK = "******"


def forwards(apps, schema_editor):
    SmsMessage = apps.get_model("liaison", "SmsMessage")
    ReceptionReminder = apps.get_model("offices", "ReceptionReminder")
    Deputy = apps.get_model("offices", "Deputy")
    codes = list(SmsMessage.objects.filter(template="privacy_code").only("pk", "params", "text"))
    for message in codes:
        message.params = {**(message.params or {}), "code": MASK}
        message.text = CODE.sub(MASK, message.text)
    SmsMessage.objects.bulk_update(codes, ["params", "text"], batch_size=500)
    SmsMessage.objects.filter(template="reception_reminder").update(
        district_id=Subquery(ReceptionReminder.objects.filter(sms_id=OuterRef("pk")).values("deputy__district_id")[:1])
    )
    only_deputy = (
        Deputy.objects.filter(mobile=OuterRef("phone"))
        .values("mobile")
        .annotate(n=Count("pk"), district=Max("district_id"))
        .filter(n=1)
        .values("district")
    )
    SmsMessage.objects.filter(district__isnull=True).exclude(template="privacy_code").update(
        district_id=Subquery(only_deputy[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ('liaison', '0006_privacy_requests'),
        ('offices', '0007_work_plans'),
    ]

    operations = [
        migrations.AddField(
            model_name='smsmessage',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='offices.jurisdiction', verbose_name='district'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='expires_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='expires at'),
        ),
        migrations.AddField(
            model_name='smsmessage',
            name='secret',
            field=models.TextField(blank=True, editable=False, verbose_name='sealed secret parameters'),
        ),
        migrations.AddIndex(
            model_name='smsmessage',
            index=models.Index(fields=['district', 'created_at'], name='sms_district_created'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
