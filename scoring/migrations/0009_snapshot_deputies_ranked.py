from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery


def count_rows(apps, schema_editor):
    """Store on each snapshot published before the field existed the number of its rows."""
    Snapshot = apps.get_model("scoring", "Snapshot")
    SnapshotRow = apps.get_model("scoring", "SnapshotRow")
    rows = (
        SnapshotRow.objects.filter(snapshot_id=OuterRef("pk")).order_by().values("snapshot_id")
        .annotate(n=Count("*")).values("n")
    )
    Snapshot.objects.filter(rows__isnull=False).update(deputies_ranked=Subquery(rows))


class Migration(migrations.Migration):

    dependencies = [
        ("scoring", "0008_review_requested_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="snapshot",
            name="deputies_ranked",
            field=models.PositiveIntegerField(default=0, verbose_name="deputies ranked"),
        ),
        migrations.RunPython(count_rows, migrations.RunPython.noop),
    ]
