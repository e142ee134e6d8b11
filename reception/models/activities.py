"""Performance activities 履职活动 and who takes part in them (SPEC §2, [000 五], [004]).

The tables keep their offices_ names: the models moved here from offices (issue 13)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.lib.choices import ChoiceDisplayMixin
from liaison.lib.transitions import Transition, transition_table
from liaison.lib.uploads import IMAGE_TYPES, UploadValidator
from offices.models import Deputy, Jurisdiction, Office
from reception.panel_version import PanelQuerySet

from .. import rules

# --- Activities, attendance, leave, escalation, invitations (SPEC §2, [000 五 八 十一], [003], [004]) ---


class Activity(ChoiceDisplayMixin, models.Model):
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

    # The only moves between states; the services check them (liaison.lib.transitions). Logging
    # again corrects the record.
    TRANSITIONS = transition_table(
        Transition("announce", sources={Status.PLANNED}, target=Status.ANNOUNCED),
        Transition("cancel", sources={Status.PLANNED, Status.ANNOUNCED}, target=Status.CANCELLED),
        Transition("log", sources={Status.PLANNED, Status.ANNOUNCED, Status.LOGGED}, target=Status.LOGGED),
    )

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
    history = HistoricalRecords(table_name="offices_historicalactivity")

    objects = PanelQuerySet.as_manager()

    class Meta:
        db_table = "offices_activity"
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "slot"]
        indexes = [
            # Serves the liaison's activity list and the public page's upcoming activities.
            models.Index(fields=["office", "date"], name="activity_office_date"),
            # Serves staff lists scoped to a district.
            models.Index(fields=["district", "date"], name="activity_district_date"),
            # The home panel of liaisons and staff (reception.activity_views.queue_panel) counts
            # the upcoming activities and the open ones waiting to be logged: with these two the
            # count reads those rows (a BitmapOr) instead of every activity of the city's term
            # (52,000 at 20,000 deputies).
            models.Index(fields=["date"], name="activity_date"),
            models.Index(
                fields=["date"], name="activity_open_date",
                condition=models.Q(status__in=["planned", "announced"]),
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_slot_display()} {self.title}"

    def save(self, *args, **kwargs):
        self.district_id = self.office.district_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reception:activity_detail", args=[self.pk])

    @property
    def is_reception(self):
        return self.kind == self.Kind.RECEPTION

    @property
    def is_publicly_announced(self):
        """Shown on the public page only when announced at least rules.ANNOUNCE_DAYS_AHEAD days before [003]."""
        if self.announced_at is None or self.status == self.Status.CANCELLED:
            return False
        from django.utils import timezone

        announced_on = timezone.localtime(self.announced_at).date()
        return (self.date - announced_on).days >= rules.ANNOUNCE_DAYS_AHEAD


class ActivityParticipant(models.Model):
    """A deputy taking part in an activity; `attended` is filled when the activity is logged."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participants"
    )
    deputy = models.ForeignKey(Deputy, verbose_name=_("deputy"), on_delete=models.PROTECT, related_name="participations")
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    history = HistoricalRecords(table_name="offices_historicalactivityparticipant")

    objects = PanelQuerySet.as_manager()

    class Meta:
        db_table = "offices_activityparticipant"
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
        db_table = "offices_activityphoto"
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["uploaded_at"]

    def __str__(self):
        return f"{self.activity} #{self.pk}"
