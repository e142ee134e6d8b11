"""The reception app's numeric rules — reception periods, announcements, leave, invitations,
escalation, reminders, work plans — each in one place with its seed (SPEC §2, §5).

Where districts may differ, a rule is a deployment setting, declared with its default in
liaison/settings.py and read here (and only here) at call time, so a test or a deployment that
changes the setting changes the rule everywhere. The models and services read these; none keeps
a copy of its own.
"""

import datetime

from django.conf import settings

# --- Reception periods 接待周 ----------------------------------------------------------------------

# [000 四] deputies receive in the first and second week of every odd month: the default rule of a
# district without its own (ReceptionRule.kind / length_days, calendar_rules.rule_slots).
DEFAULT_RULE_KIND = "odd_months"
DEFAULT_PERIOD_LENGTH_DAYS = 14
ODD_MONTHS = (1, 3, 5, 7, 9, 11)

# No seed: a period longer than a month would swallow the next month's. Staff may set a rule's
# length or move a period to anything from 1 to 31 days.
MAX_PERIOD_LENGTH_DAYS = 31

# [001 第一篇] one town receives on fixed days of the month (10th and 20th); days up to the 28th
# exist in every month.
FIXED_DAY_MAX = 28

# SPEC §2: a year of periods is laid out ahead, so deputies can plan.
PERIODS_AHEAD = datetime.timedelta(days=365)


def reminder_days_before():
    """[000 十一] every serving deputy is reminded 提前一周 of each reception period: the
    RECEPTION_REMINDER_DAYS_BEFORE setting, 7 by default."""
    return settings.RECEPTION_REMINDER_DAYS_BEFORE


def reminder_batch_size():
    """How many deputies one reminder transaction writes (the RECEPTION_REMINDER_BATCH_SIZE setting,
    500 by default). No seed: it keeps transactions and memory small."""
    return settings.RECEPTION_REMINDER_BATCH_SIZE


# --- Activities, leave, invitations ----------------------------------------------------------------

# [003] an activity is announced on the office's public page 提前3天 at least.
ANNOUNCE_DAYS_AHEAD = 3

# [000 十一] a deputy asks for leave 提前5天 at least.
LEAVE_DAYS_AHEAD = 5

# [000 八] department leaders are invited 提前5天 at least.
INVITATION_DAYS_AHEAD = 5

# No seed: the liaison's activity form offers the periods of roughly the last two months to make up
# (a make-up falls within the month of the missed period, [000 十一]).
MAKE_UP_PERIODS_OFFERED_DAYS = 62

# --- Escalation of absences [000 十一] ------------------------------------------------------------

# Consecutive periods absent without reason and not made up: 1 a make-up reminder, 2 a written
# explanation owed, 3 a proposal to advise resignation (Escalation.Step).
ESCALATION_MAKE_UP = 1
ESCALATION_EXPLANATION = 2
ESCALATION_RESIGNATION = 3
# How many periods back a streak is counted: three in a row is the last step.
ESCALATION_LOOKBACK = ESCALATION_RESIGNATION

# No seed: the daily job closes periods that ended at most this many days ago. Older unclosed
# periods are history from before the portal ran; staff close them with `close_periods --since`.
CLOSE_LOOKBACK_DAYS = 31

# --- Yearly work plans ---------------------------------------------------------------------------

# [004 第十条] the plan is published 提前一周 before the year starts: by 24 December.
WORK_PLAN_DAYS_BEFORE_YEAR = 8
