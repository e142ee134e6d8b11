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

from liaison.lib.choices import ChoiceDisplayMixin
from liaison.lib.pinyin import pinyin_initials
from liaison.lib.uploads import IMAGE_TYPES, UploadValidator
from liaison.lib.validators import validate_cn_mobile

from .. import rules


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
    contact_minimum = models.PositiveSmallIntegerField(_("minimum contacts per deputy"), default=rules.CONTACT_MINIMUM)
    contact_visits_minimum = models.PositiveSmallIntegerField(_("minimum visits per contact a year"), default=rules.CONTACT_VISITS_MINIMUM
    )
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
    open_half_days_per_week = models.PositiveSmallIntegerField(_("open half-days a week"), default=rules.OFFICE_MIN_HALF_DAYS_PER_WEEK
    )
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

    # The standards of [004 第五条] and [004 第十条] (offices.rules); an office below them is listed on
    # dashboards.
    @property
    def meets_area_standard(self):
        return self.area_m2 is not None and self.area_m2 >= rules.OFFICE_MIN_AREA_M2

    @property
    def meets_hours_standard(self):
        return self.open_half_days_per_week >= rules.OFFICE_MIN_HALF_DAYS_PER_WEEK


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


class Deputy(ChoiceDisplayMixin, models.Model):
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
