"""Public-opinion cases 社情民意 (SPEC §3): a resident's words from intake to archive.

The workflow is an explicit state machine (cases.workflow holds the one transitions table); every
move appends a CaseEvent, and events are never edited or deleted.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.lib.append_only import AppendOnlyModel
from liaison.lib.choices import ChoiceDisplayMixin
from liaison.lib.uploads import DOCUMENT_TYPES, UploadValidator

from ..reach_version import UNSHOWN_FIELDS, rows_changed

# No 0/O, 1/I/L: a code read aloud over the phone or copied from a slip of paper stays unambiguous.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12  # 31^12 ≈ 7.9e17: not guessable, and tracking also needs the mobile number.


def new_tracking_code():
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


class _ReachQuerySet(models.QuerySet):
    """Queryset writes that send no signal retire the cached deputy reads of the rows they write
    (cases.reach_version), unless they write only columns no such read shows."""

    # The path from this model to its case's office and owner columns.
    case_path = ""

    def _shown(self, fields):
        return not set(fields) <= UNSHOWN_FIELDS[self.model.__name__]

    def _rows(self, qs):
        return qs.values_list(f"{self.case_path}office_id", f"{self.case_path}owner_id").distinct()

    def _rows_of(self, objs):
        """(office_id, owner_id) of the cases of `objs`, as stored."""
        case_ids = {o.pk for o in objs} if self.model is Case else {o.case_id for o in objs}
        return list(Case._base_manager.filter(pk__in=case_ids).order_by().values_list("office_id", "owner_id").distinct())

    def update(self, **kwargs):
        if not self._shown(kwargs):
            return super().update(**kwargs)
        rows = list(self.values_list("pk", f"{self.case_path}office_id", f"{self.case_path}owner_id"))
        rows_changed((office, owner) for _pk, office, owner in rows)
        pks = [pk for pk, _office, _owner in rows]
        count = super().update(**kwargs)
        # After the write too: an update that moves a case to another office or owner.
        rows_changed(self._rows(self.model._base_manager.filter(pk__in=pks).order_by()))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        rows_changed(self._rows_of(objs))
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        shown = self._shown(fields)
        if shown:
            rows_changed(self._rows_of(objs))
        count = super().bulk_update(objs, fields, *args, **kwargs)
        if shown:
            rows_changed(self._rows_of(objs))
        return count


class CaseQuerySet(_ReachQuerySet):
    pass


class CaseDispatchQuerySet(_ReachQuerySet):
    case_path = "case__"


class Channel(models.TextChoices):
    RECEPTION = "reception", _("Office reception")
    APPOINTMENT = "appointment", _("Appointment")
    HOUSEHOLD_VISIT = "visit", _("Household visit")
    ONLINE = "online", _("Online office / mailbox")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ANSWERED = "answered", _("Answered on the spot")
    ASSIGNED = "assigned", _("Owner assigned")
    FORWARDED = "forwarded", _("Forwarded")
    DISPATCHED = "dispatched", _("Dispatched")
    REPLIED = "replied", _("Replied")
    FED_BACK = "fed_back", _("Fed back")
    ARCHIVED = "archived", _("Archived")


# The statuses of the cases in the staff dispatch queue (forwarded; dissatisfied or unrated after
# the units replied) and of those that can be overdue (waiting to be forwarded or for the units,
# cases.deadline_selectors): the conditions of the two partial indexes that serve those lists.
WAITING_FOR_STAFF = (Status.FORWARDED, Status.REPLIED, Status.FED_BACK)
MAY_BE_OVERDUE = (Status.REGISTERED, Status.ASSIGNED, Status.DISPATCHED)


class Satisfaction(models.TextChoices):
    VERY = "very", _("Very satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class SatisfactionSource(models.TextChoices):
    RESIDENT = "resident", _("The resident, through the SMS link")
    FOLLOW_UP = "follow_up", _("Phone follow-up (回访) by someone other than the owner")
    # Kept for values typed at the feedback step before residents rated their answer themselves;
    # never counted.
    FEEDBACK = "feedback", _("Typed at the feedback step (not counted)")


# The sources whose satisfaction feeds points item 3 and the units' 满意率.
COUNTED_SOURCES = (SatisfactionSource.RESIDENT, SatisfactionSource.FOLLOW_UP)


class ReplyResult(models.TextChoices):
    SOLVED = "solved", _("Solved")
    WILL_SOLVE = "will_solve", _("Will be solved by a date")
    CANNOT = "cannot", _("Cannot be solved")


class DispatchStatus(models.TextChoices):
    """A unit's own share of a dispatch moves on its own (cases.workflow.DISPATCH_TRANSITIONS):
    the unit signs for it, replies, or returns it as not its business; staff then re-dispatch the
    returned share to the right unit or close it."""

    PENDING = "pending", _("Awaiting receipt")
    SIGNED = "signed", _("Signed for")
    RETURNED = "returned", _("Returned to staff")
    REDISPATCHED = "redispatched", _("Re-dispatched by staff")
    CLOSED = "closed", _("Closed by staff")
    REPLIED = "replied", _("Replied")


# A unit still owes work on these shares; the overdue rule (cases.deadline_selectors) reads them.
DISPATCH_OPEN = (DispatchStatus.PENDING, DispatchStatus.SIGNED)


class Category(models.Model):
    """The category list (城市管理, 社会保障 …), editable by staff."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Case(ChoiceDisplayMixin, models.Model):
    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    # The reporter. Anonymous reporters leave no name or phone and get no phone feedback.
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_mobile = models.CharField(_("reporter's mobile"), max_length=20, blank=True)
    reporter_address = models.CharField(_("reporter's address"), max_length=200, blank=True)
    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="cases"
    )
    # Denormalized from the office: every staff-scoped query filters on it.
    district = models.ForeignKey(
        "offices.Jurisdiction", verbose_name=_("district"), on_delete=models.PROTECT, null=True,
        related_name="+", editable=False,
    )
    received_by = models.ManyToManyField(
        "offices.Deputy", verbose_name=_("deputies who received it"), related_name="received_cases", blank=True
    )
    received_on = models.DateField(_("date received"))
    spot_answer = models.TextField(_("on-the-spot answer"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    owner = models.ForeignKey(
        "offices.Deputy", verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_cases",
    )
    # [001 第五篇]: forwarded to the organization department within 3 days of receipt.
    forward_due = models.DateField(_("forward by"), null=True, blank=True)
    # The earliest open deadline of the current dispatch round, for the overdue list.
    reply_due = models.DateField(_("reply by"), null=True, blank=True)
    dispatch_round = models.PositiveSmallIntegerField(_("dispatch round"), default=0)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    # Where the satisfaction of the current round came from (cases.models.resident.CaseRating.Source):
    # only the resident's own rating or a non-owner's follow-up count for points and rates.
    # "feedback" marks values the owner typed at the feedback step before residents rated.
    satisfaction_source = models.CharField(_("satisfaction given by"), max_length=10, blank=True,
                                           choices=SatisfactionSource.choices)
    feedback_note = models.TextField(_("feedback to the resident"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed at"), auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("public-opinion case")
        verbose_name_plural = _("public-opinion cases")
        ordering = ["-received_on", "-id"]
        indexes = [
            # Serves the liaison desk and the team meeting: an office's cases by status.
            models.Index(fields=["office", "status"], name="case_office_status"),
            # Serves staff queues scoped to a district and filtered by status.
            models.Index(fields=["district", "status"], name="case_district_status"),
            # Serves the daily overdue scan and the overdue list.
            models.Index(fields=["status", "forward_due"], name="case_status_forward_due"),
            models.Index(fields=["status", "reply_due"], name="case_status_reply_due"),
            # Serves the retention run (cases.privacy_services): archived cases by archive date.
            models.Index(fields=["status", "status_changed_at"], name="case_status_changed"),
            # Serves the staff dispatch queue (cases.queue_selectors.staff_dispatch_queue): the
            # cases waiting for staff in the queue's order, so a page is read, not sorted.
            models.Index(
                fields=["forward_due", "-received_on", "-id"], name="case_waiting_for_staff",
                condition=models.Q(status__in=WAITING_FOR_STAFF),
            ),
            # Serves the overdue list (cases.queue_selectors.overdue_cases): the cases that can be
            # overdue (waiting to be forwarded or for the units) in the list's order.
            models.Index(
                fields=["forward_due", "-received_on", "-id"], name="case_overdue_candidates",
                condition=models.Q(status__in=MAY_BE_OVERDUE),
            ),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.title}"

    def save(self, *args, **kwargs):
        if self.office_id and not self.district_id:
            self.district_id = self.office.district_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    @property
    def can_get_phone_feedback(self):
        return not self.is_anonymous and bool(self.reporter_mobile)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The office and owner as stored, for the save that moves the case (cases.reach_version);
        # None when either was deferred (the save reads them then).
        instance._reach_loaded = instance._reach_stored()
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None:
            # Every loaded column read again. A partial refresh (a deferred column read on first
            # access) leaves the others as they are in memory, perhaps changed: not "as stored".
            self._reach_loaded = self._reach_stored()

    def _reach_stored(self):
        data = self.__dict__
        return (data["office_id"], data["owner_id"]) if "office_id" in data and "owner_id" in data else None


class CaseAttachment(models.Model):
    """A photo or PDF. Served only through cases:attachment, which checks the viewer."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments")
    # Set when a unit attaches the file to its reply.
    dispatch = models.ForeignKey(
        "CaseDispatch", verbose_name=_("unit reply"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/", validators=[UploadValidator(DOCUMENT_TYPES)])
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(pgettext_lazy("attachment", "content type"), max_length=50)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


class CaseDispatch(ChoiceDisplayMixin, models.Model):
    """One responsible unit's share of a dispatch, and that unit's reply."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="dispatches")
    unit = models.ForeignKey("offices.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="dispatches")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    deadline = models.DateField(_("reply deadline"))
    instructions = models.TextField(_("instructions"), blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), auto_now_add=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dispatched by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    status = models.CharField(
        _("unit's status"), max_length=12, choices=DispatchStatus.choices, default=DispatchStatus.PENDING
    )
    # 签收: the unit acknowledges receipt.
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed for by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # 退回: a wrongly dispatched case goes back to staff with the unit's reason.
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("returned by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    result = models.CharField(_("result"), max_length=12, choices=ReplyResult.choices, blank=True)
    will_solve_by = models.DateField(_("will be solved by"), null=True, blank=True)
    reply = models.TextField(_("reply and reasons"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("replied by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # The case's district and office names, copied onto the share so that the unit inbox sorted by
    # either column reads a page from an index instead of joining and sorting every share of the
    # unit (issue 10). Kept by cases.inbox_sort_services: set when a share is created, followed when
    # an office or a district is renamed. Empty district: the case has none (sorted last).
    district_name = models.CharField(_("district"), max_length=100, null=True, blank=True, editable=False)
    office_name = models.CharField(_("office"), max_length=100, blank=True, editable=False)

    objects = CaseDispatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatch to a unit")
        verbose_name_plural = _("dispatches to units")
        ordering = ["case", "round", "id"]
        constraints = [
            # A unit that returned its share may get the case again after staff clear it up, so
            # only the shares still in play are unique per unit and round.
            models.UniqueConstraint(
                fields=["case", "unit", "round"], name="case_dispatch_unique_unit_round",
                condition=~models.Q(status__in=["returned", "redispatched", "closed"]),
            ),
        ]
        indexes = [
            # Serves the unit inbox: a unit's dispatches, open ones first.
            models.Index(fields=["unit", "replied_at"], name="dispatch_unit_replied"),
            # Serves the overdue rule and the staff queue's returned shares: dispatches by state
            # and deadline.
            models.Index(fields=["status", "deadline"], name="dispatch_status_deadline"),
            # Serves the case-level overdue rule (cases.deadline_selectors.case_overdue_q): a
            # case's open shares of its round and their deadlines, one probe per case row of the
            # queues, the overdue list and their badges.
            models.Index(
                fields=["case", "round", "deadline"], name="dispatch_open_by_case",
                condition=models.Q(status__in=DISPATCH_OPEN),
            ),
            # Serves the unit inbox's default list (cases.queue_selectors.unit_inbox, owed_only):
            # a unit's open shares in the order of the page, soonest deadline first, read up to
            # the page and up to the bound of its count instead of sorting every open share.
            models.Index(
                fields=["unit", "deadline", "-id"], name="dispatch_owed_by_unit",
                condition=models.Q(status__in=DISPATCH_OPEN),
            ),
            # Serves the unit inbox's whole list (cases.queue_selectors.unit_inbox_owed_first):
            # the shares the unit no longer owes, soonest deadline first, read up to the page.
            models.Index(fields=["unit", "deadline", "-id"], name="dispatch_by_unit_deadline"),
            # Serve the unit inbox sorted by dispatch date (INBOX_SORTS["dispatched"], either way):
            # every share of the unit, and the shares it owes.
            models.Index(fields=["unit", "dispatched_at", "id"], name="dispatch_by_unit_dispatched"),
            models.Index(
                fields=["unit", "dispatched_at", "id"], name="dispatch_owed_unit_dispatched",
                condition=models.Q(status__in=DISPATCH_OPEN),
            ),
            # Serve the unit inbox sorted by district (INBOX_SORTS["district"], either way, the
            # reverse read backwards): the shares the unit owes (show=open), and every share.
            models.Index(
                fields=["unit", "district_name", "deadline", "-id"], name="dispatch_owed_unit_district",
                condition=models.Q(status__in=DISPATCH_OPEN),
            ),
            models.Index(fields=["unit", "district_name", "deadline", "-id"], name="dispatch_by_unit_district"),
            # Serve the unit inbox sorted by office (INBOX_SORTS["office"], either way): the shares
            # the unit owes, and every share.
            models.Index(
                fields=["unit", "office_name", "deadline", "-id"], name="dispatch_owed_unit_office",
                condition=models.Q(status__in=DISPATCH_OPEN),
            ),
            models.Index(fields=["unit", "office_name", "deadline", "-id"], name="dispatch_by_unit_office"),
        ]

    def __str__(self):
        return f"{self.case.tracking_code} → {self.unit}"

    @property
    def is_replied(self):
        return self.replied_at is not None

    @property
    def is_open(self):
        return self.status in DISPATCH_OPEN

    @property
    def replied_on_time(self):
        return self.replied_at is not None and self.replied_at.date() <= self.deadline


class CaseEvent(AppendOnlyModel):
    """One timeline entry: who moved the case from which state to which, when, and why.
    Append-only, in bulk too."""

    changed_message = _("Timeline entries cannot be changed.")
    deleted_message = _("Timeline entries cannot be deleted.")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # Kept even if the account goes: the timeline must still say who acted.
    actor_repr = models.CharField(_("by (name)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.from_status}→{self.to_status}"


class TeamMeeting(models.Model):
    """领办 meeting [000 九]: after a reception the team leader gathers the team, the cases the
    office received are discussed together, and each gets one owner from the team."""

    team = models.ForeignKey("offices.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField(_("date"))
    chaired_by = models.ForeignKey(
        "offices.Deputy", verbose_name=_("chaired by"), on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.ManyToManyField("offices.Deputy", verbose_name=_("attendees"), related_name="team_meetings")
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team assignment meeting")
        verbose_name_plural = _("team assignment meetings")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.team} {self.date}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:meeting", args=[self.pk])


class MeetingAssignment(models.Model):
    meeting = models.ForeignKey(
        TeamMeeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="assignments"
    )
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="meeting_assignments")
    owner = models.ForeignKey("offices.Deputy", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting assignment")
        verbose_name_plural = _("meeting assignments")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="meeting_assignment_unique")]

    def __str__(self):
        return f"{self.case} → {self.owner}"


class CaseReminder(models.Model):
    """An overdue reminder, sent once per case per deadline: the unique key makes the daily scan
    idempotent (a second run, or two workers, find the row already there)."""

    class Kind(models.TextChoices):
        FORWARD = "forward", _("Not forwarded within 3 days")
        REPLY = "reply", _("Unit reply overdue")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    dispatch = models.ForeignKey(
        CaseDispatch, verbose_name=_("dispatch"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("deadline"))
    key = models.CharField(max_length=80, unique=True, editable=False)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.case.tracking_code} {self.get_kind_display()} {self.due_on}"

    @staticmethod
    def make_key(*, case_id, kind, dispatch_id, due_on):
        return f"{case_id}:{kind}:{dispatch_id or 0}:{due_on:%Y%m%d}"


class DeadlineExtension(models.Model):
    """申请延期: a unit asks for a later reply deadline on its own share, with a reason; staff of
    the case's district approve or refuse. Only an approved request moves the deadline (and with
    it the overdue rule and the daily scan)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        # The unit replied or returned the share before staff decided: nothing left to extend.
        LAPSED = "lapsed", _("Lapsed (the share was settled)")

    dispatch = models.ForeignKey(
        CaseDispatch, verbose_name=_("dispatch"), on_delete=models.CASCADE, related_name="extensions"
    )
    old_deadline = models.DateField(_("deadline before"))
    new_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("deadline extension request")
        verbose_name_plural = _("deadline extension requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per share: a second waits for the decision on the first.
            models.UniqueConstraint(
                fields=["dispatch"], condition=models.Q(status="pending"), name="extension_one_pending_per_dispatch"
            ),
        ]
        # Serves the staff queue: pending requests.
        indexes = [models.Index(fields=["status", "requested_at"], name="extension_status_requested")]

    def __str__(self):
        return f"{self.dispatch} {self.old_deadline} → {self.new_deadline}"
