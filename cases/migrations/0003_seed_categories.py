"""The ten categories of SPEC §3; staff edit the list afterwards."""

from django.db import migrations

CATEGORIES = ["城市管理", "社会保障", "教育", "医疗卫生", "住房", "交通", "环境", "治安", "劳动就业", "其他"]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for order, name in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_cases_workflow")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
