"""The reception models moved from offices to reception (issue 13) without touching their tables: a
database migrated before the split keeps its rows, its content type ids (the points ledger's
generic sources point at them), the permissions granted on them and its beat schedule."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The database as main left it before issue 13 (16d31a6): reception not there yet, every other
# app at its last migration of that day.
BEFORE_SPLIT = [
    ("reception", None),
    ("liaison", "0009_background_export_and_export_job_base"),
    ("offices", "0007_work_plans"),
    ("cases", "0012_case_export_job_on_export_job_base"),
    ("scoring", "0004_export_job_on_export_job_base"),
]


def _migrate(targets=None):
    """Migrate to `targets`, or to the latest migrations when None; return the apps of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations), at_end=True).apps


def _old_data(apps):
    """A jurisdiction, office and deputy, a reception period, an activity with attendance and a
    leave request, a ledger entry whose source is the attendance, a group granted an offices
    permission on a moved model and a beat row of an offices task: made as the old code stored them."""
    User = apps.get_model("liaison", "User")
    Jurisdiction = apps.get_model("offices", "Jurisdiction")
    Office = apps.get_model("offices", "Office")
    Deputy = apps.get_model("offices", "Deputy")
    ReceptionPeriod = apps.get_model("offices", "ReceptionPeriod")
    Activity = apps.get_model("offices", "Activity")
    ActivityParticipant = apps.get_model("offices", "ActivityParticipant")
    Attendance = apps.get_model("offices", "Attendance")
    LeaveRequest = apps.get_model("offices", "LeaveRequest")
    ContentTypeThen = apps.get_model("contenttypes", "ContentType")
    PermissionThen = apps.get_model("auth", "Permission")
    GroupThen = apps.get_model("auth", "Group")
    RuleSet = apps.get_model("scoring", "RuleSet")
    RuleItem = apps.get_model("scoring", "RuleItem")
    Entry = apps.get_model("scoring", "Entry")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")

    staff = User.objects.create(username="split_staff", password="!", role="staff")
    district = Jurisdiction.objects.create(name="盐田区", level="district")
    office = Office.objects.create(name="沙头角社区工作室", jurisdiction=district, district=district)
    deputy = Deputy.objects.create(
        name="王芳", gender="f", mobile="13800138000", level="district", term="第七届", work_unit="盐田区人民医院",
        district=district,
    )
    day = datetime.date(2026, 3, 2)
    period = ReceptionPeriod.objects.create(district=district, key="2026-03", start=day, end=day + datetime.timedelta(days=13))
    activity = Activity.objects.create(
        office=office, district=district, title="接待选民", date=day, period=period, created_by=staff
    )
    ActivityParticipant.objects.create(activity=activity, deputy=deputy, attended=True)
    attendance = Attendance.objects.create(
        deputy=deputy, period=period, outcome="attended", activity=activity, recorded_by=staff
    )
    leave = LeaveRequest.objects.create(deputy=deputy, activity=activity, district=district, reason="出差", filed_by=staff)

    # The ContentType rows of the old state: a database that ran the old code has them under offices.
    attendance_type, _ = ContentTypeThen.objects.get_or_create(app_label="offices", model="attendance")
    activity_type, _ = ContentTypeThen.objects.get_or_create(app_label="offices", model="activity")
    rule_set = RuleSet.objects.create(code="split-test", name="split test")
    item = RuleItem.objects.create(rule_set=rule_set, category="reception", number=1, name="接待", points=2)
    entry = Entry.objects.create(
        deputy=deputy, rule_item=item, event="attendance", source_type=attendance_type, source_id=attendance.pk,
        year=2026, occurred_on=day, points=2,
    )
    permission, _ = PermissionThen.objects.get_or_create(
        content_type=activity_type, codename="change_activity", defaults={"name": "Can change activity"}
    )
    group = GroupThen.objects.create(name="split-activity-editors")
    group.permissions.add(permission)
    member = User.objects.create(username="split_member", password="!", is_active=True)
    member.groups.add(group)
    schedule = CrontabSchedule.objects.create(minute="15", hour="1")
    beat = PeriodicTask.objects.create(name="split-close-due", task="offices.tasks.periods_close_due", crontab=schedule)
    return {
        "period": period.pk, "activity": activity.pk, "attendance": attendance.pk, "leave": leave.pk,
        "attendance_type": attendance_type.pk, "activity_type": activity_type.pk, "entry": entry.pk,
        "permission": permission.pk, "group": group.pk, "member": member.pk, "beat": beat.pk,
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_migrated_before_the_split_keeps_its_rows_content_types_and_permissions():
    from django_celery_beat.models import PeriodicTask

    from liaison.models import User
    from reception.models import Activity, Attendance, LeaveRequest, ReceptionPeriod
    from scoring.models import Entry

    try:
        ids = _old_data(_migrate(BEFORE_SPLIT))
        _migrate()
        ContentType.objects.clear_cache()

        # Rows intact, read through the reception models.
        activity = Activity.objects.get(pk=ids["activity"])
        attendance = Attendance.objects.get(pk=ids["attendance"])
        assert attendance.activity == activity and attendance.period_id == ids["period"]
        assert ReceptionPeriod.objects.get(pk=ids["period"]).key == "2026-03"
        assert LeaveRequest.objects.get(pk=ids["leave"]).activity == activity
        assert list(activity.deputies.values_list("name", flat=True)) == ["王芳"]

        # The content types kept their ids and now say reception.
        attendance_type = ContentType.objects.get(pk=ids["attendance_type"])
        assert (attendance_type.app_label, attendance_type.model) == ("reception", "attendance")
        assert ContentType.objects.get_for_model(Attendance).pk == ids["attendance_type"]
        assert ContentType.objects.get_for_model(Activity).pk == ids["activity_type"]
        assert not ContentType.objects.filter(app_label="offices", model__in=["attendance", "activity"]).exists()

        # The ledger entry's generic source still resolves.
        entry = Entry.objects.get(pk=ids["entry"])
        assert entry.source_type.get_object_for_this_type(pk=entry.source_id) == attendance

        # The group's permission follows its content type.
        permission = Group.objects.get(pk=ids["group"]).permissions.get()
        assert permission.pk == ids["permission"]
        assert f"{permission.content_type.app_label}.{permission.codename}" == "reception.change_activity"
        assert User.objects.get(pk=ids["member"]).has_perm("reception.change_activity")

        # Beat runs the task under its new name, on the schedule it had.
        beat = PeriodicTask.objects.get(pk=ids["beat"])
        assert beat.task == "reception.tasks.periods_close_due"
        assert (beat.crontab.minute, beat.crontab.hour) == ("15", "1")
    finally:
        # Leave the schema at the latest migrations for the tests that follow, whatever happened.
        _migrate()
