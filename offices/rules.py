"""The org chart's numeric rules — offices, liaisons, deputies' contact networks, office work —
each in one place with its seed (SPEC §1, §5). The reception rules (periods, leave, announcements,
reminders, escalation) are in reception/rules.py.

offices.models reads these: Office.meets_area_standard and meets_hours_standard, and the defaults
of Jurisdiction.contact_minimum, contact_visits_minimum and Office.open_half_days_per_week.
tests/offices/test_office_rules.py holds them to the seeds.
"""

# [004 第五条] an office's room: 面积一般不少于二十平方米.
OFFICE_MIN_AREA_M2 = 20

# [004 第十条] an office opens 每周…不少于一次，每次不少于半天: at least one half-day a week.
# ([000 十六] asks 每周定期开放不少于一天 in Shenzhen: a district sets its offices' hours higher.)
OFFICE_MIN_HALF_DAYS_PER_WEEK = 1

# [001 第二篇 一、三(二)] each deputy stays in touch with 5名以上 party members or residents and
# visits them 不少于2次 a year ([001 第三篇]: 10 and 4 — districts set their own, these are the
# defaults of Jurisdiction.contact_minimum and contact_visits_minimum).
CONTACT_MINIMUM = 5
CONTACT_VISITS_MINIMUM = 2

# [004 第十二条(五)] the liaison reports to the higher liaison body 每两个月: six reports a year.
LIAISON_REPORT_MONTHS = 2

# [000 十六] [004 第十六条] the five standards of a "five-good" office are named, not scored; each is
# scored 0–20 here (100 in all), a choice staff can read at a glance.
FIVE_GOOD_MAX_PER_STANDARD = 20

# Roster import (SPEC §6): the initial passwords of the logins an import creates wait, sealed, for
# the staff member who ran it, who sees them once on the import's page. Not a seed's number: long
# enough to come back to the page the same half-day, short enough that a sealed copy does not
# outlive the hand-over. After it the sweep blanks them and the page lists the login names only
# (an administrator then sets new initial passwords).
ROSTER_PASSWORDS_KEPT_HOURS = 4
