"""Writes to the organization chart, with the rules of SPEC §1 enforced in one place so the
admin, the roster import and any page refuse the same things with the same message."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.pinyin import pinyin_initials

from .calendar import library_holidays, rule_slots
from .models import (
    Deputy,
    FixedCommunity,
    Jurisdiction,
    LeaderChange,
    Office,
    ReceptionPeriod,
    ReceptionReminder,
    ReceptionRule,
    StatutoryHoliday,
    Team,
    TeamMembership,
)
from .roster_version import roster_changed


def fixed_communities_validate(*, level, district, is_leadership_member, communities):
    """The fixed-community rules of [000 一]:

    - in a district every deputy is fixed to exactly one community;
    - in a new district a city deputy may keep several fixed communities, others exactly one;
    - leadership-team members have exactly one fixed community (they may act elsewhere);
    - every fixed community lies in the deputy's district.
    """
    communities = list(communities)
    if not communities:
        raise ValidationError(_("A deputy must be fixed to one community."), code="no_fixed_community")
    for community in communities:
        if community.level != Jurisdiction.Level.COMMUNITY:
            raise ValidationError(
                _("%(name)s is not a community.") % {"name": community.name}, code="not_community"
            )
        if district is not None and community.district_id != district.pk:
            raise ValidationError(
                _("Community %(community)s is not in %(district)s.")
                % {"community": community.name, "district": district.name},
                code="community_outside_district",
            )
    if len(communities) > 1:
        several_allowed = (
            district is not None
            and district.level == Jurisdiction.Level.NEW_DISTRICT
            and level == Deputy.Level.CITY
            and not is_leadership_member
        )
        if not several_allowed:
            if is_leadership_member:
                msg = _("A deputy who is a leadership-team member has one fixed community (they may still act elsewhere).")
            elif district is not None and district.level == Jurisdiction.Level.NEW_DISTRICT:
                msg = _("In a new district only city deputies may keep several fixed communities.")
            else:
                msg = _("In a district each deputy is fixed to exactly one community.")
            raise ValidationError(msg, code="too_many_fixed_communities")


@transaction.atomic
def deputy_set_fixed_communities(*, deputy, communities):
    communities = list(communities)
    fixed_communities_validate(
        level=deputy.level,
        district=deputy.district,
        is_leadership_member=deputy.is_leadership_member,
        communities=communities,
    )
    wanted = {c.pk for c in communities}
    FixedCommunity.objects.filter(deputy=deputy).exclude(community_id__in=wanted).delete()
    have = set(FixedCommunity.objects.filter(deputy=deputy).values_list("community_id", flat=True))
    FixedCommunity.objects.bulk_create(
        [FixedCommunity(deputy=deputy, community_id=pk) for pk in wanted - have]
    )


def deputy_may_act_at(*, deputy, community):
    """Whether a deputy may take part in an activity in a community: their fixed communities, or
    anywhere for leadership-team members [000 一 (3)]."""
    if deputy.is_leadership_member:
        return True
    return FixedCommunity.objects.filter(deputy=deputy, community=community).exists()


def team_members_validate(*, team_community, members):
    """`members` is a list of (deputy, is_leader). Exactly one leader [000 二]; every member is
    fixed to the team's community; nobody listed twice."""
    leaders = [d for d, is_leader in members if is_leader]
    if len(leaders) != 1:
        raise ValidationError(_("A team has exactly one leader."), code="leader_count")
    seen = set()
    for deputy, _is_leader in members:
        if deputy.pk in seen:
            raise ValidationError(
                _("%(name)s is listed twice.") % {"name": deputy.name}, code="duplicate_member"
            )
        seen.add(deputy.pk)
    fixed = set(
        FixedCommunity.objects.filter(deputy_id__in=seen, community=team_community).values_list("deputy_id", flat=True)
    )
    for deputy, _is_leader in members:
        if deputy.pk not in fixed:
            raise ValidationError(
                _("%(name)s is not fixed to %(community)s, the team's community.")
                % {"name": deputy.name, "community": team_community.name},
                code="member_not_fixed_here",
            )


@transaction.atomic
def team_set_members(*, team, members):
    """Set a new team's members. Changing the leader of an existing team goes through
    team_change_leader, which keeps the record the organization department files."""
    team_members_validate(team_community=team.office.jurisdiction, members=members)
    current_leader = TeamMembership.objects.filter(team=team, is_leader=True).values_list("deputy_id", flat=True).first()
    new_leader = next(d for d, is_leader in members if is_leader)
    if current_leader is not None and current_leader != new_leader.pk:
        raise ValidationError(
            _("Change the leader with the leader-change form, which records the members' agreement."),
            code="leader_change_needs_record",
        )
    keep = {d.pk for d, _ in members}
    TeamMembership.objects.filter(team=team).exclude(deputy_id__in=keep).delete()
    existing = set(TeamMembership.objects.filter(team=team).values_list("deputy_id", flat=True))
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, deputy=d, is_leader=is_leader) for d, is_leader in members if d.pk not in existing]
    )
    roster_changed()  # bulk_create sends no signal


@transaction.atomic
def team_change_leader(*, team, new_leader, date, reason, filed_by, all_members_agreed):
    """Hand the lead to another member. Needs every member's agreement and leaves a record [000 二]."""
    from liaison.lib.permissions import actor_require, scope_to_staff

    # Filed with the organization department of the team's district (or the city's).
    actor_require(
        scope_to_staff(Team.objects.filter(pk=team.pk), filed_by).exists(),
        _("The organization department of the team's district files a change of leader."),
    )
    if not all_members_agreed:
        raise ValidationError(
            _("Changing the leader requires the agreement of all team members."), code="no_agreement"
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for the change."), code="no_reason")
    team = Team.objects.select_for_update().get(pk=team.pk)
    memberships = {m.deputy_id: m for m in TeamMembership.objects.filter(team=team)}
    if new_leader.pk not in memberships:
        raise ValidationError(
            _("%(name)s is not a member of this team.") % {"name": new_leader.name}, code="not_member"
        )
    old = next((m for m in memberships.values() if m.is_leader), None)
    if old is not None and old.deputy_id == new_leader.pk:
        raise ValidationError(_("%(name)s already leads this team.") % {"name": new_leader.name}, code="same_leader")
    if old is not None:
        TeamMembership.objects.filter(pk=old.pk).update(is_leader=False)
    TeamMembership.objects.filter(pk=memberships[new_leader.pk].pk).update(is_leader=True)
    return LeaderChange.objects.create(
        team=team,
        date=date,
        old_leader_id=old.deputy_id if old else None,
        new_leader=new_leader,
        reason=reason,
        filed_by=filed_by,
        all_members_agreed=True,
    )


# --- Reception periods ----------------------------------------------------------------------------


def reception_rule_for(district):
    """The district's own rule, else the city's, else the default of [000 四]."""
    rule = ReceptionRule.objects.filter(jurisdiction=district).first()
    if rule is None and district.parent_id:
        rule = ReceptionRule.objects.filter(jurisdiction_id=district.parent_id).first()
    return rule or ReceptionRule(kind=ReceptionRule.Kind.ODD_MONTHS, length_days=14)


def holidays_sync(*, year):
    """Copy the chinesecalendar package's days off for `year` into the holiday table, leaving
    staff-entered rows alone. Returns the number of days stored, or None when the package has no
    data for the year (then staff enter the State Council's list in the admin)."""
    days = library_holidays(year)
    if days is None:
        return None
    staff_days = set(
        StatutoryHoliday.objects.filter(date__year=year, source=StatutoryHoliday.Source.STAFF).values_list(
            "date", flat=True
        )
    )
    StatutoryHoliday.objects.filter(date__year=year, source=StatutoryHoliday.Source.LIBRARY).delete()
    StatutoryHoliday.objects.bulk_create(
        [
            StatutoryHoliday(date=d, name=name, source=StatutoryHoliday.Source.LIBRARY)
            for d, name in sorted(days.items())
            if d not in staff_days
        ]
    )
    return len(days)


def _holiday_index(start, end):
    return dict(StatutoryHoliday.objects.filter(date__range=(start, end)).values_list("date", "name"))


def _holiday_flag(period, holidays):
    names = []
    for day, name in sorted(holidays.items()):
        if period.start <= day <= period.end and name not in names:
            names.append(name)
    return bool(names), "、".join(names)[:200]


def reception_periods_generate_ahead(*, today=None):
    """Keep a year of reception periods laid out ahead [SPEC §2]: this year's and, once the year
    is under way, next year's, from each district's rule. Staff edits are kept (see below)."""
    today = today or timezone.localdate()
    years = sorted({today.year, (today + datetime.timedelta(days=365)).year})
    return {year: reception_periods_generate(year=year) for year in years}


@transaction.atomic
def reception_periods_generate(*, year, districts=None):
    """Lay out `year`'s reception periods for every district (or the given ones) from their rules.

    Rows staff have edited are never touched (only their holiday flag is refreshed); unedited rows
    follow the rule; slots the rule no longer produces are removed if unedited and nothing was
    recorded against them. Idempotent: running it twice changes nothing the second time.
    Returns {"created": n, "updated": n, "kept": n, "deleted": n}.
    """
    if districts is None:
        districts = Jurisdiction.objects.filter(
            level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT]
        )
    districts = list(districts)
    # None means the package has no data for the year: staff's entries in the table are used.
    holidays_sync(year=year)
    holidays = _holiday_index(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 31))
    stats = {"created": 0, "updated": 0, "kept": 0, "deleted": 0}
    existing = {}
    for period in ReceptionPeriod.objects.select_for_update().filter(
        district__in=districts, key__startswith=f"{year}-"
    ):
        existing[(period.district_id, period.key)] = period
    to_create, to_update = [], []
    for district in districts:
        rule = reception_rule_for(district)
        fixed = rule.fixed_day_list() if rule.kind == rule.Kind.FIXED_DAYS else ()
        wanted = rule_slots(kind=rule.kind, year=year, length_days=rule.length_days, fixed_days=fixed)
        wanted_keys = set()
        for key, start, end in wanted:
            wanted_keys.add(key)
            period = existing.get((district.pk, key))
            if period is None:
                period = ReceptionPeriod(district=district, key=key, start=start, end=end)
                period.overlaps_holiday, period.holiday_names = _holiday_flag(period, holidays)
                to_create.append(period)
                continue
            if not period.edited_by_staff and (period.start, period.end) != (start, end):
                period.start, period.end = start, end
                stats["updated"] += 1
            else:
                stats["kept"] += 1
            period.overlaps_holiday, period.holiday_names = _holiday_flag(period, holidays)
            to_update.append(period)
        stale = [
            p.pk
            for (district_id, key), p in existing.items()
            if district_id == district.pk and key not in wanted_keys and not p.edited_by_staff
        ]
        if stale:
            # Only future slots go: a past period may carry attendance and escalations.
            removable = ReceptionPeriod.objects.filter(pk__in=stale, start__gt=timezone.localdate())
            stats["deleted"] += removable.count()
            removable.delete()
    ReceptionPeriod.objects.bulk_create(to_create)
    ReceptionPeriod.objects.bulk_update(to_update, ["start", "end", "overlaps_holiday", "holiday_names"])
    stats["created"] = len(to_create)
    return stats


@transaction.atomic
def reception_period_move(*, period, start, end, actor, note="", now=None):
    """Staff move a period (e.g. around a holiday). The row is marked edited so that regeneration
    keeps it as staff left it. Deputies already reminded of the old dates are told the new ones
    (one SMS and one notice each per move, in the same transaction); the returned period's
    `deputies_told` says how many."""
    from liaison.lib.permissions import actor_require, scope_to_staff

    actor_require(
        scope_to_staff(ReceptionPeriod.objects.filter(pk=period.pk), actor).exists(),
        _("The organization department of the period's district moves it."),
    )
    if end < start:
        raise ValidationError(_("The last day cannot be before the first day."), code="end_before_start")
    if (end - start).days > 31:
        raise ValidationError(_("A reception period lasts at most 31 days."), code="too_long")
    period = ReceptionPeriod.objects.select_for_update().get(pk=period.pk)
    old_start, old_end = period.start, period.end
    period.start, period.end = start, end
    if note:
        period.note = note
    holidays = _holiday_index(start - datetime.timedelta(days=1), end)
    period.overlaps_holiday, period.holiday_names = _holiday_flag(period, holidays)
    period.edited_by_staff = True
    period.edited_by = actor
    period.edited_at = timezone.now()
    period.save(
        update_fields=[
            "start", "end", "note", "overlaps_holiday", "holiday_names", "edited_by_staff", "edited_by", "edited_at"
        ]
    )
    period.deputies_told = 0
    if (old_start, old_end) != (start, end):
        period.deputies_told = _reminded_deputies_tell_move(period=period, old_start=old_start, old_end=old_end,
                                                            now=now or timezone.now())
    return period


def _reminded_deputies_tell_move(*, period, old_start, old_end, now):
    """The deputies who got this period's reminder learn its new dates: an SMS (template
    reception_period_moved, quiet hours respected) and an in-portal notice each. Deputies not yet
    reminded need nothing: the daily reminder will carry the new dates."""
    from liaison.lib.sms import sms_build
    from liaison.models import SmsMessage
    from liaison.services import notices_send

    deputies = list(
        Deputy.objects.filter(reminders__period=period).only("pk", "name", "mobile", "user_id", "district_id").order_by("pk")
    )
    if not deputies:
        return 0
    SmsMessage.objects.bulk_create(
        [
            sms_build(
                phone=d.mobile, template="reception_period_moved", now=now, district=d.district_id,
                params={**_reminder_params(deputy=d, period=period),
                        "old_start": f"{old_start.month}月{old_start.day}日", "old_end": f"{old_end.month}月{old_end.day}日"},
            )
            for d in deputies if d.mobile
        ]
    )
    notices_send(
        users=[d.user_id for d in deputies if d.user_id],
        text=_("The reception period from %(old_start)s to %(old_end)s has been moved: it now runs from %(start)s "
               "to %(end)s.")
        % {"old_start": f"{old_start:%Y-%m-%d}", "old_end": f"{old_end:%Y-%m-%d}", "start": f"{period.start:%Y-%m-%d}",
           "end": f"{period.end:%Y-%m-%d}"},
        url=reverse("home"),
    )
    return len(deputies)


def holidays_refresh_flags(*, start, end):
    """Recompute the holiday flag of the periods touching [start, end] after staff edit the
    holiday table."""
    periods = list(ReceptionPeriod.objects.filter(start__lte=end, end__gte=start))
    if not periods:
        return 0
    holidays = _holiday_index(min(p.start for p in periods), max(p.end for p in periods))
    for p in periods:
        p.overlaps_holiday, p.holiday_names = _holiday_flag(p, holidays)
    ReceptionPeriod.objects.bulk_update(periods, ["overlaps_holiday", "holiday_names"])
    return len(periods)


# --- Roster import ----------------------------------------------------------------------------------


IMPORT_BATCH = 1000


class RosterImportRefused(Exception):
    """A rule refused one row at write time; the whole import is rolled back. `errors` is a list
    of importers.RowError."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


@transaction.atomic
def roster_import(*, plan, actor):
    """Carry out a checked roster plan (offices.importers.plan_roster) in one transaction: offices
    and their teams, deputies with their fixed communities, team members, and login accounts for
    the rows that ask for one. The fixed-community and one-leader rules are enforced again by the
    same services the admin uses; a refusal names the row and rolls everything back.

    Returns {"offices": n, "teams": n, "deputies": n, "accounts": [(deputy name, username, password)]}.
    """
    from django.utils.crypto import get_random_string

    from liaison.models import Role, User

    from .importers import DEPUTY_SHEET, RowError
    from .models import Office

    def refuse(row, column, error):
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise RosterImportRefused(
            [RowError(str(DEPUTY_SHEET.title), row, str(DEPUTY_SHEET.column(column).label), " ".join(messages))]
        )

    teams = {}
    for o in plan.offices:
        office = Office.objects.create(
            name=o.name,
            kind=o.kind,
            jurisdiction=o.jurisdiction,
            address=o.address,
            area_m2=o.area_m2,
            open_hours=o.open_hours,
            open_half_days_per_week=o.open_half_days_per_week,
            public_phone=o.public_phone,
        )
        if o.team_name:
            teams[id(o)] = Team.objects.create(name=o.team_name, office=office)
    # Deputies, their logins and fixed communities are written in bulk (a 20,000-row roster takes
    # seconds, not minutes); the fixed-community rules are checked per row by the same validator
    # deputy_set_fixed_communities uses, before anything of the row is written.
    for d in plan.deputies:
        try:
            fixed_communities_validate(
                level=d.level, district=d.district, is_leadership_member=d.is_leadership_member,
                communities=d.communities,
            )
        except ValidationError as e:
            refuse(d.row, "communities", e)
    accounts = []
    users = {}
    for d in plan.deputies:
        if d.username:
            password = get_random_string(14, "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            user = User(username=d.username, name=d.name, role=Role.DEPUTY, mobile=d.mobile, must_change_password=True)
            user.set_password(password)
            users[d.row] = user
            accounts.append((d.name, d.username, password))
    User.objects.bulk_create(users.values(), batch_size=IMPORT_BATCH)
    deputies = Deputy.objects.bulk_create(
        [
            Deputy(
                name=d.name,
                name_initials=pinyin_initials(d.name),  # what Deputy.save() sets; bulk_create skips save()
                gender=d.gender,
                mobile=d.mobile,
                id_number=d.id_number,
                level=d.level,
                term=d.term,
                work_unit=d.work_unit,
                position=d.position,
                district=d.district,
                is_leadership_member=d.is_leadership_member,
                user=users.get(d.row),
            )
            for d in plan.deputies
        ],
        batch_size=IMPORT_BATCH,
    )
    roster_changed()  # bulk_create sends no signal
    FixedCommunity.objects.bulk_create(
        [FixedCommunity(deputy=deputy, community=c) for d, deputy in zip(plan.deputies, deputies, strict=True)
         for c in dict.fromkeys(d.communities)],
        batch_size=IMPORT_BATCH,
    )
    members = {}
    for d, deputy in zip(plan.deputies, deputies, strict=True):
        if d.team is not None:
            team = teams.get(id(d.team)) or d.team
            members.setdefault(team.pk, (team, []))[1].append((d.row, deputy, d.is_leader))
    for team, rows in members.values():
        current = [(m.deputy, m.is_leader) for m in TeamMembership.objects.filter(team=team).select_related("deputy")]
        try:
            team_set_members(team=team, members=current + [(deputy, is_leader) for _row, deputy, is_leader in rows])
        except ValidationError as e:
            leader_rows = [row for row, _d, is_leader in rows if is_leader] or [rows[0][0]]
            refuse(leader_rows[0], "team", f"{team.name}: " + " ".join(e.messages))
    return {
        "offices": len(plan.offices),
        "teams": len(teams),
        "deputies": len(plan.deputies),
        "accounts": accounts,
    }

# --- Reminders a week before each reception period [000 十一] ---------------------------------------


def reception_periods_to_remind(*, today):
    """Periods whose reminders are due today: those starting RECEPTION_REMINDER_DAYS_BEFORE days
    from now, and, so that a day the job did not run is caught up late rather than never, those
    starting sooner that have not started yet. Periods already reminded cost one cheap query."""
    horizon = today + datetime.timedelta(days=settings.RECEPTION_REMINDER_DAYS_BEFORE)
    return ReceptionPeriod.objects.filter(start__gt=today, start__lte=horizon).select_related("district")


def _reminder_params(*, deputy, period):
    return {"name": deputy.name, "start": f"{period.start.month}月{period.start.day}日", "end": f"{period.end.month}月{period.end.day}日"}


def _remind_batch(*, period, deputies, now, on_commit=None):
    """Write the reminders of one batch of deputies: reminder rows, their SMS and notices in one
    transaction. A concurrent run writing the same (period, deputy) keys makes the insert fail on
    the unique constraint (PostgreSQL makes it wait for the other transaction first); the batch
    is then rolled back, SMS and notices included, and looked at again."""
    from liaison.lib.sms import sms_build
    from liaison.models import SmsMessage
    from liaison.services import notices_send

    for attempt in range(3):
        try:
            with transaction.atomic():
                done = set(
                    ReceptionReminder.objects.filter(period=period, deputy__in=[d.pk for d in deputies]).values_list(
                        "deputy_id", flat=True
                    )
                )
                todo = [d for d in deputies if d.pk not in done]
                if not todo:
                    return 0
                messages = SmsMessage.objects.bulk_create(
                    [
                        sms_build(
                            phone=d.mobile,
                            template="reception_reminder",
                            params=_reminder_params(deputy=d, period=period),
                            now=now,
                            district=d.district_id,
                        )
                        for d in todo
                    ]
                )
                ReceptionReminder.objects.bulk_create(
                    [ReceptionReminder(period=period, deputy=d, sms=m) for d, m in zip(todo, messages, strict=True)]
                )
                notices_send(
                    users=[d.user_id for d in todo if d.user_id],
                    text=_(
                        "Reception period from %(start)s to %(end)s: please spend at least half a day at your "
                        "fixed community."
                    )
                    % {"start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"},
                    url=reverse("home"),
                )
                if on_commit is not None:
                    # robust: a broker hiccup while handing a batch over must not stop the job;
                    # the batch stays queued for the delivery sweep.
                    ids = [m.pk for m in messages]
                    transaction.on_commit(lambda ids=ids: on_commit(ids), robust=True)
                return len(todo)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0


def reception_reminders_send(*, today=None, now=None, batch_size=None, on_batch=None):
    """Remind every serving deputy of each period starting a week from `today` [000 十一]: one SMS
    (template reception_reminder, queued in the outbox, deferred to 08:00 in quiet hours) and one
    in-portal notice per deputy and period, exactly once however often and however concurrently
    this runs. Deputies are walked in primary-key batches so memory and transactions stay small.
    Delivery is the outbox's job (liaison.lib.sms.sms_send_due); `on_batch(sms_ids)`, called once
    each batch has committed, lets the caller start delivering it while the next batches are
    written. Returns the number of new reminders."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    batch_size = batch_size or settings.RECEPTION_REMINDER_BATCH_SIZE
    created = 0
    for period in reception_periods_to_remind(today=today):
        deputies = (
            Deputy.objects.filter(district_id=period.district_id, status=Deputy.Status.SERVING)
            .only("pk", "name", "mobile", "user_id", "district_id")
            .order_by("pk")
        )
        last_pk = 0
        while True:
            batch = list(deputies.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            created += _remind_batch(period=period, deputies=batch, now=now, on_commit=on_batch)
    return created


# --- Calendar feed tokens ------------------------------------------------------------------------


def calendar_token_regenerate(*, obj, actor):
    """Give a deputy or an office a new feed token: every existing subscription stops working."""
    from liaison.lib.permissions import actor_require
    from liaison.models import Role
    from liaison.services import audit_record

    from .models import new_calendar_token
    from .selectors import deputies_visible_to, offices_manageable_by

    if not isinstance(obj, Deputy | Office):
        raise TypeError(obj)
    if isinstance(obj, Office):
        allowed = offices_manageable_by(user=actor).filter(pk=obj.pk).exists()
    else:
        # The deputy themself, or the staff who manage them.
        allowed = obj.user_id == actor.pk or (
            actor.role == Role.ORG_STAFF and deputies_visible_to(user=actor).filter(pk=obj.pk).exists()
        )
    actor_require(allowed)
    obj.calendar_token = new_calendar_token()
    obj.save(update_fields=["calendar_token"])
    audit_record(action="calendar_token_regenerated", actor=actor, obj=obj)
    return obj
