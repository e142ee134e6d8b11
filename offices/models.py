"""The organization chart the rest of the portal hangs on: jurisdictions, responsible units,
offices and their liaisons, deputies, fixed communities, teams and their leaders, and each
deputy's contact network (SPEC §1, seeds [000] [001] [004])."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from liaison.lib.pinyin import pinyin_initials
from liaison.lib.uploads import IMAGE_TYPES, UploadValidator
from liaison.lib.validators import validate_cn_mobile

# SPEC §5 records (five-good evaluations, training, budgets) live in their own module.
from .office_work import Budget, Expense, OfficeEvaluation, TrainingAttendance, TrainingCourse  # noqa: E402, F401
from .work_plan import WorkPlan, WorkPlanItem  # noqa: E402, F401


def new_calendar_token():
    """The secret in a calendar feed's URL: whoever holds it reads the feed without logging in,
    as calendar apps do. 32 random bytes; regenerating it cuts off every old subscription."""
    return secrets.token_urlsafe(32)


def calendar_token_field():
    return models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )


class Jurisdiction(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        NEW_DISTRICT = "new_district", _("New district")
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Community")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, blank=True)
    level = models.CharField(_("level"), max_length=15, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # The district or new district this node belongs to (itself for a district; empty for the
    # city). Denormalized because every scoped query filters on it.
    district = models.ForeignKey(
        "self",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Local rules for the contact network [001]: districts set their own minimums.
    contact_minimum = models.PositiveSmallIntegerField(_("minimum contacts per deputy"), default=5)
    contact_visits_minimum = models.PositiveSmallIntegerField(_("minimum visits per contact a year"), default=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="jurisdiction_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.level in (self.Level.DISTRICT, self.Level.NEW_DISTRICT):
            self.district = self if self.pk else None
        elif self.parent_id:
            self.district_id = self.parent.district_id
        super().save(*args, **kwargs)
        if self.level in (self.Level.DISTRICT, self.Level.NEW_DISTRICT) and self.district_id != self.pk:
            type(self).objects.filter(pk=self.pk).update(district=self.pk)
            self.district_id = self.pk

    @property
    def is_city(self):
        return self.level == self.Level.CITY

    @property
    def is_new_district(self):
        return self.level == self.Level.NEW_DISTRICT


class Unit(models.Model):
    """A government unit 承办单位 that receives dispatched cases."""

    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("The city for city-level units, or the district."),
    )
    district = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.district_id = self.jurisdiction.district_id
        super().save(*args, **kwargs)


class Office(models.Model):
    """A deputy liaison office 党代表工作室 [004]."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community")
        INDUSTRY = "industry", _("Industry")
        PARK = "park", _("Industrial park")
        AGENCY = "agency", _("Agency")
        ONLINE = "online", _("Online")
        MOBILE = "mobile", pgettext_lazy("office kind", "Mobile")

    # Standards of [004 第五条] and [004 第十条]; an office below them is listed on dashboards.
    MIN_AREA_M2 = 20
    MIN_HALF_DAYS_PER_WEEK = 1

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMUNITY)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="offices"
    )
    district = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=7, decimal_places=1, null=True, blank=True)
    open_hours = models.CharField(
        _("open hours"), max_length=200, blank=True, help_text=_("As shown to residents, e.g. every Wednesday afternoon.")
    )
    open_half_days_per_week = models.PositiveSmallIntegerField(_("open half-days a week"), default=1)
    public_phone = models.CharField(_("public contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="OfficeLiaison", related_name="liaison_offices", blank=True
    )
    calendar_token = calendar_token_field()
    # The token is a credential: kept out of the change history.
    history = HistoricalRecords(excluded_fields=["calendar_token"])

    class Meta:
        verbose_name = _("liaison office")
        verbose_name_plural = _("liaison offices")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.district_id = self.jurisdiction.district_id
        super().save(*args, **kwargs)

    @property
    def meets_area_standard(self):
        return self.area_m2 is not None and self.area_m2 >= self.MIN_AREA_M2

    @property
    def meets_hours_standard(self):
        return self.open_half_days_per_week >= self.MIN_HALF_DAYS_PER_WEEK


class OfficeLiaison(models.Model):
    class Kind(models.TextChoices):
        FULL_TIME = "full", _("Full-time")
        PART_TIME = "part", _("Part-time")

    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="liaison_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("liaison"), on_delete=models.CASCADE, related_name="office_links"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.PART_TIME)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("office liaison")
        verbose_name_plural = _("office liaisons")
        constraints = [
            models.UniqueConstraint(fields=["office", "user"], name="office_liaison_unique"),
            # One full-time liaison per office [004 第十一条].
            models.UniqueConstraint(
                fields=["office"], condition=Q(kind="full"), name="office_one_full_time_liaison"
            ),
        ]

    def __str__(self):
        return f"{self.office} · {self.user} ({self.get_kind_display()})"


class Deputy(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Level(models.TextChoices):
        CITY = "city", _("City deputy")
        DISTRICT = "district", _("District deputy")
        NEW_DISTRICT = "new_district", _("New-district party-member representative")

    class Status(models.TextChoices):
        SERVING = "serving", _("Serving")
        ON_LEAVE = "on_leave", _("On leave")
        RESIGNED = "resigned", _("Resigned")
        REMOVED = "removed", _("Removed")

    # Shown on public pages; everything else is private to staff and the deputy.
    PUBLIC_FIELDS = ("name", "gender", "level", "work_unit", "position", "photo")

    name = models.CharField(_("name"), max_length=50)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    mobile = models.CharField(_("mobile phone"), max_length=20, validators=[validate_cn_mobile])
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    level = models.CharField(_("level"), max_length=15, choices=Level.choices)
    term = models.CharField(_("congress term"), max_length=30, help_text=_("e.g. 第七届"))
    work_unit = models.CharField(_("work unit"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    is_leadership_member = models.BooleanField(_("leadership-team member"), default=False)
    photo = models.ImageField(_("photo"), upload_to="deputies/", blank=True, validators=[UploadValidator(IMAGE_TYPES)])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SERVING)
    district = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="deputies",
        limit_choices_to={"level__in": [Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]},
        help_text=_("The district or new district where the deputy's fixed community lies."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy",
    )
    fixed_communities = models.ManyToManyField(
        Jurisdiction, through="FixedCommunity", related_name="fixed_deputies", blank=True
    )
    calendar_token = calendar_token_field()
    # The token is a credential: kept out of the change history.
    history = HistoricalRecords(excluded_fields=["calendar_token"])

    class Meta:
        verbose_name = _("deputy")
        verbose_name_plural = _("deputies")
        ordering = ["name_initials", "name"]
        indexes = [
            # Serves district-scoped lists filtered by status.
            models.Index(fields=["district", "status"], name="deputy_district_status"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_initials = pinyin_initials(self.name)
        super().save(*args, **kwargs)

    @property
    def is_serving(self):
        return self.status == self.Status.SERVING


class FixedCommunity(models.Model):
    """定点社区 [000 一]: the community a deputy is fixed to."""

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="fixed_links")
    community = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="fixed_links",
        limit_choices_to={"level": Jurisdiction.Level.COMMUNITY},
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fixed community")
        verbose_name_plural = _("fixed communities")
        constraints = [models.UniqueConstraint(fields=["deputy", "community"], name="fixed_community_unique")]

    def __str__(self):
        return f"{self.deputy} → {self.community}"


class Team(models.Model):
    """党代表团队: the city and district deputies serving one community office ("team operation" [000])."""

    name = models.CharField(_("name"), max_length=100)
    office = models.OneToOneField(Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="team")
    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    members = models.ManyToManyField(Deputy, through="TeamMembership", related_name="teams")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deputy team")
        verbose_name_plural = _("deputy teams")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.district_id = self.office.district_id
        super().save(*args, **kwargs)

    @property
    def community(self):
        return self.office.jurisdiction


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships")
    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="memberships")
    is_leader = models.BooleanField(_("leader"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "deputy"], name="team_member_unique"),
            # At most one leader per team in the database; "exactly one" is checked by the services.
            models.UniqueConstraint(fields=["team"], condition=Q(is_leader=True), name="team_one_leader"),
        ]

    def __str__(self):
        return f"{self.team} · {self.deputy}"


class LeaderChange(models.Model):
    """A change of team leader, agreed by all members and filed with the organization department [000 二]."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="leader_changes")
    date = models.DateField(_("date"))
    old_leader = models.ForeignKey(
        Deputy, verbose_name=_("old leader"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_leader = models.ForeignKey(Deputy, verbose_name=_("new leader"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    all_members_agreed = models.BooleanField(_("all members agreed"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("leader change")
        verbose_name_plural = _("leader changes")
        ordering = ["-date", "-created_at"]

    def __str__(self):
        return f"{self.team}: {self.old_leader or '—'} → {self.new_leader} ({self.date})"


class Contact(models.Model):
    """A party member or resident a deputy keeps in touch with [001]."""

    class Kind(models.TextChoices):
        PARTY_MEMBER = "member", _("Party member")
        RESIDENT = "resident", _("Resident")

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RESIDENT)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_pairing_household = models.BooleanField(
        _("paired household in difficulty"), default=False, help_text=_("结对帮扶: a household in difficulty the deputy helps.")
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contact network")
        ordering = ["deputy", "name"]

    def __str__(self):
        return self.name


class ContactVisit(models.Model):
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contact visit")
        verbose_name_plural = _("contact visits")
        ordering = ["-date"]
        # Serves the yearly visit counts of the contact-network shortfall list.
        indexes = [models.Index(fields=["contact", "date"], name="contact_visit_date")]

    def __str__(self):
        return f"{self.contact} {self.date}"


# --- Reception periods 接待周 (SPEC §2, [000 四]) ------------------------------------------------


class ReceptionRule(models.Model):
    """How a district (or the city, as the default for districts without their own rule) lays out
    its reception periods. Seeds differ: [000] Shenzhen receives in the first two weeks of odd
    months, [002] Yantian asks for a monthly half-day, [001] one town receives on the 10th and 20th."""

    class Kind(models.TextChoices):
        ODD_MONTHS = "odd_months", _("Every odd month, from the first Monday")
        MONTHLY = "monthly", _("Every month, from the first Monday")
        FIXED_DAYS = "fixed_days", _("Fixed days of every month")

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.CASCADE,
        related_name="reception_rule",
        limit_choices_to={"level__in": ["city", "district", "new_district"]},
        help_text=_("A district, or the city (the default for districts without a rule of their own)."),
    )
    kind = models.CharField(_("rule"), max_length=12, choices=Kind.choices, default=Kind.ODD_MONTHS)
    length_days = models.PositiveSmallIntegerField(
        _("length in days"), default=14, help_text=_("14 days = the first and second week [000 四].")
    )
    fixed_days = models.CharField(
        _("days of the month"),
        max_length=50,
        blank=True,
        help_text=_("For the fixed-days rule: comma-separated days, e.g. 10,20."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reception rule")
        verbose_name_plural = _("reception rules")

    def __str__(self):
        return f"{self.jurisdiction}: {self.get_kind_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.FIXED_DAYS:
            try:
                days = self.fixed_day_list()
            except ValueError:
                days = []
            if not days:
                raise ValidationError({"fixed_days": _("Give the days of the month as numbers 1–28, e.g. 10,20.")})
        if not 1 <= self.length_days <= 31:
            raise ValidationError({"length_days": _("A period lasts 1 to 31 days.")})

    def fixed_day_list(self):
        days = sorted({int(part) for part in self.fixed_days.replace("，", ",").split(",") if part.strip()})
        if any(not 1 <= d <= 28 for d in days):
            raise ValueError(days)
        return days


class StatutoryHoliday(models.Model):
    """One day off under the State Council's holiday arrangement. Filled from the chinesecalendar
    package for the years it covers and by staff for the others (the package's data ends where the
    State Council's latest notice ends)."""

    class Source(models.TextChoices):
        LIBRARY = "library", _("chinesecalendar package")
        STAFF = "staff", _("Entered by staff")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("holiday"), max_length=50)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.STAFF)

    class Meta:
        verbose_name = _("statutory holiday")
        verbose_name_plural = _("statutory holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class ReceptionPeriod(models.Model):
    """One reception period of a district: every serving deputy of the district spends at least half
    a day at their fixed community within [start, end] [000 四]. Generated from the district's rule;
    a row staff have moved is marked and never overwritten by regeneration."""

    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.CASCADE, related_name="reception_periods"
    )
    # Which slot of the rule produced the row ("2027-01", or "2027-01-10" for fixed days); it is
    # how regeneration finds the row again after staff moved its dates.
    key = models.CharField(_("rule slot"), max_length=20, editable=False)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    overlaps_holiday = models.BooleanField(_("overlaps a statutory holiday"), default=False, editable=False)
    holiday_names = models.CharField(_("holidays"), max_length=200, blank=True, editable=False)
    edited_by_staff = models.BooleanField(
        _("edited by staff"), default=False, help_text=_("Regeneration leaves edited periods alone.")
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    # Set once the period's escalation has run, so the daily job handles each ended period once.
    closed_at = models.DateTimeField(_("escalation computed at"), null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reception period")
        verbose_name_plural = _("reception periods")
        ordering = ["start", "district"]
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="reception_period_unique_slot"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="reception_period_end_after_start"),
        ]
        indexes = [
            # Serves "the periods of this district around a date" (homes, activity → period lookup).
            models.Index(fields=["district", "start"], name="reception_period_district"),
            # Serves the reminder job and the daily escalation job, which look periods up by date.
            models.Index(fields=["start"], name="reception_period_start"),
            models.Index(fields=["end", "closed_at"], name="reception_period_end"),
        ]

    def __str__(self):
        return f"{self.district} {self.start:%Y-%m-%d}–{self.end:%m-%d}"

    def contains(self, day):
        return self.start <= day <= self.end


# --- Activities, attendance, leave, escalation, invitations (SPEC §2, [000 五 八 十一], [003], [004]) ---


class Activity(models.Model):
    """A performance activity 履职活动 of an office's deputies [000 五], [004 第七条 第八条]. Planned
    and announced by the liaison, logged afterwards with who attended."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", _("Office reception")
        APPOINTMENT = "appointment", _("Appointment talk")
        HOUSEHOLD_VISIT = "household_visit", _("Household visit")
        VOLUNTEER = "volunteer", _("Volunteer service")
        PARTY_LECTURE = "party_lecture", _("Party lecture")
        COUNCIL = "council", _("Community council")
        VISIT_ENTERPRISE = "visit_enterprise", _("Visit to an enterprise")
        VISIT_SCHOOL = "visit_school", _("Visit to a school")
        VISIT_HOSPITAL = "visit_hospital", _("Visit to a hospital")
        VISIT_PARK = "visit_park", _("Visit to an industrial park")
        SURVEY = "survey", _("Survey")
        PAIRING = "pairing", _("Pairing assistance")

    class Slot(models.TextChoices):
        MORNING = "am", _("Morning")
        AFTERNOON = "pm", _("Afternoon")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ANNOUNCED = "announced", _("Announced")
        LOGGED = "logged", _("Held and logged")
        CANCELLED = "cancelled", _("Cancelled")

    # The only moves between states; the services check them.
    TRANSITIONS = {
        Status.PLANNED: {Status.ANNOUNCED, Status.LOGGED, Status.CANCELLED},
        Status.ANNOUNCED: {Status.LOGGED, Status.CANCELLED},
        Status.LOGGED: {Status.LOGGED},
        Status.CANCELLED: set(),
    }
    # Announced on the office's public page at least this many days ahead [003].
    ANNOUNCE_DAYS_AHEAD = 3

    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="activities")
    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RECEPTION)
    title = models.CharField(_("title"), max_length=100)
    date = models.DateField(_("date"))
    slot = models.CharField(_("half-day"), max_length=2, choices=Slot.choices, default=Slot.MORNING)
    place = models.CharField(_("place"), max_length=200, blank=True)
    households = models.PositiveSmallIntegerField(
        _("households visited"), default=0, help_text=_("For household visits: how many households were visited.")
    )
    plan_notes = models.TextField(_("plan"), blank=True)
    notes = models.TextField(_("what happened"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    # The reception period the activity falls in (receptions only): its attendance is the period's.
    period = models.ForeignKey(
        "ReceptionPeriod",
        verbose_name=_("reception period"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        editable=False,
    )
    # A make-up activity 补课: attending it within the month turns that period's absence into "made up".
    makes_up_period = models.ForeignKey(
        "ReceptionPeriod",
        verbose_name=_("makes up for"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="make_up_activities",
    )
    deputies = models.ManyToManyField(Deputy, through="ActivityParticipant", related_name="activities")
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True, editable=False)
    logged_at = models.DateTimeField(_("logged at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "slot"]
        indexes = [
            # Serves the liaison's activity list and the public page's upcoming activities.
            models.Index(fields=["office", "date"], name="activity_office_date"),
            # Serves staff lists scoped to a district.
            models.Index(fields=["district", "date"], name="activity_district_date"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_slot_display()} {self.title}"

    def save(self, *args, **kwargs):
        self.district_id = self.office.district_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("offices:activity_detail", args=[self.pk])

    @property
    def is_reception(self):
        return self.kind == self.Kind.RECEPTION

    @property
    def is_publicly_announced(self):
        """Shown on the public page only when announced at least ANNOUNCE_DAYS_AHEAD days before [003]."""
        if self.announced_at is None or self.status == self.Status.CANCELLED:
            return False
        from django.utils import timezone

        announced_on = timezone.localtime(self.announced_at).date()
        return (self.date - announced_on).days >= self.ANNOUNCE_DAYS_AHEAD


class ActivityParticipant(models.Model):
    """A deputy taking part in an activity; `attended` is filled when the activity is logged."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participants"
    )
    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="participations")
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity participant")
        verbose_name_plural = _("activity participants")
        constraints = [models.UniqueConstraint(fields=["activity", "deputy"], name="activity_participant_unique")]
        # Serves "my activities" on the deputy's home page.
        indexes = [models.Index(fields=["deputy", "activity"], name="participant_deputy")]

    def __str__(self):
        return f"{self.activity} · {self.deputy}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        _("photo"), upload_to="activities/%Y/%m/", validators=[UploadValidator(IMAGE_TYPES)]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["uploaded_at"]

    def __str__(self):
        return f"{self.activity} #{self.pk}"


class Attendance(models.Model):
    """One outcome per deputy and reception period [000 十一]. Derived by the services from the
    facts (attended receptions, approved leave, make-up activities) and never typed in freely."""

    class Outcome(models.TextChoices):
        ATTENDED = "attended", _("Attended")
        LEAVE = "leave", _("On approved leave")
        ABSENT = "absent", _("Absent without reason")
        MADE_UP = "made_up", _("Made up")

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="attendances")
    period = models.ForeignKey(
        "ReceptionPeriod", verbose_name=_("reception period"), on_delete=models.CASCADE, related_name="attendances"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # The activity that decided the outcome: the reception attended, the leave's activity, the make-up.
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-period__start"]
        constraints = [models.UniqueConstraint(fields=["deputy", "period"], name="attendance_one_per_period")]
        # Serves the escalation streak count and the period's attendance sheet.
        indexes = [models.Index(fields=["period", "outcome"], name="attendance_period_outcome")]

    def __str__(self):
        return f"{self.deputy} · {self.period}: {self.get_outcome_display()}"


class LeaveRequest(models.Model):
    """请假: filed by the deputy at least 5 days before the activity, decided by staff; the
    deputy's team is told [000 十一]."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REFUSED},
        Status.APPROVED: set(),
        Status.REFUSED: set(),
    }
    DAYS_AHEAD = 5

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="leave_requests")
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="leave_requests"
    )
    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-filed_at"]
        constraints = [
            # One live request per deputy and activity; a refused one may be filed again.
            models.UniqueConstraint(
                fields=["deputy", "activity"], condition=~Q(status="refused"), name="leave_one_live_per_activity"
            ),
        ]
        # Serves the staff queue of pending requests.
        indexes = [models.Index(fields=["status", "district"], name="leave_status_district")]

    def __str__(self):
        return f"{self.deputy} · {self.activity}"


class Escalation(models.Model):
    """One step of the escalation after a period [000 十一]: consecutive periods absent without
    reason and not made up → 1 make-up reminder, 2 written explanation owed, 3 proposal to advise
    resignation. One row per deputy and period, so the daily job is idempotent."""

    class Step(models.IntegerChoices):
        MAKE_UP = 1, _("Make-up reminder")
        EXPLANATION = 2, _("Written explanation owed")
        RESIGNATION = 3, _("Proposal to advise resignation")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("escalation status", "Open")
        SUBMITTED = "submitted", _("Explanation submitted")
        RESOLVED = "resolved", _("Resolved")

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="escalations")
    period = models.ForeignKey(
        "ReceptionPeriod", verbose_name=_("reception period"), on_delete=models.CASCADE, related_name="escalations"
    )
    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    streak = models.PositiveSmallIntegerField(_("consecutive absences"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    # Empty: raised by the daily job.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    make_up_by = models.DateField(_("make up by"), null=True, blank=True)
    explanation = models.TextField(_("written explanation"), blank=True)
    explanation_file = models.FileField(
        _("explanation file"), upload_to="explanations/%Y/", blank=True, validators=[UploadValidator()]
    )
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("explained by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance escalation")
        verbose_name_plural = _("attendance escalations")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["deputy", "period"], name="escalation_one_per_period")]
        # Serves the staff list "who owes what", filtered by district and status.
        indexes = [models.Index(fields=["district", "status", "step"], name="escalation_queue")]

    def __str__(self):
        return f"{self.deputy} · {self.period}: {self.get_step_display()}"


class Invitation(models.Model):
    """A deputy's request that leaders of a named department join an activity, filed at least 5
    days before it; staff decide and record who comes [000 八]."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REFUSED},
        Status.APPROVED: set(),
        Status.REFUSED: set(),
    }
    DAYS_AHEAD = 5

    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="invitations")
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="invitations")
    district = models.ForeignKey(
        Jurisdiction, verbose_name=_("district"), on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    department = models.CharField(_("department"), max_length=100)
    problem = models.TextField(_("the problem to solve"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision reason"), blank=True)
    attendees = models.CharField(_("who comes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department-leader invitation")
        verbose_name_plural = _("department-leader invitations")
        ordering = ["-filed_at"]
        # Serves the staff queue of pending invitations.
        indexes = [models.Index(fields=["status", "district"], name="invitation_status_district")]

    def __str__(self):
        return f"{self.department} → {self.activity}"

class ReceptionReminder(models.Model):
    """The SMS reminder one deputy gets a week before one reception period [000 十一]. The unique
    (period, deputy) key is what makes "exactly once" hold: the SMS and the in-portal notice are
    written in the same transaction as this row, so a second run (or a run redelivered after its
    worker died) either finds the row or fails on the key and rolls its copies back."""

    period = models.ForeignKey(
        ReceptionPeriod, verbose_name=_("reception period"), on_delete=models.CASCADE, related_name="reminders"
    )
    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="reminders")
    sms = models.OneToOneField(
        "liaison.SmsMessage",
        verbose_name=_("SMS message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reception_reminder",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reception reminder")
        verbose_name_plural = _("reception reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "deputy"], name="reception_reminder_once_per_deputy"),
        ]

    def __str__(self):
        return f"{self.period} · {self.deputy}"
