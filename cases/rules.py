"""The cases app's numeric rules, each in one place with its seed (SPEC §3).

Where districts may differ, a rule is a deployment setting, declared with its default in
liaison/settings.py and read here (and only here) at call time, so a test or a deployment that
changes the setting changes the rule everywhere.
"""

from django.conf import settings


def forward_days():
    """[001 第五篇 三(二)] what a deputy learns at a reception is sent to the organization
    department 在3日内: a case is forwarded within 3 days of receipt (Case.forward_due). The
    CASE_FORWARD_DAYS setting, 3 by default: districts may set their own rule."""
    return settings.CASE_FORWARD_DAYS


def rating_days():
    """How many days the signed link in the answer SMS lets the resident rate the answer themselves
    (the CASE_RATING_DAYS setting, 7 by default). No seed gives a number: [000 九] only asks that
    the owner tell the resident the result and [000 七] that satisfaction be reviewed at year end."""
    return settings.CASE_RATING_DAYS


# No seed limits co-signers 联署 [002 附件2 9]; a cap keeps one motion's list (and the points it
# awards) reviewable.
MAX_COSIGNERS = 30

# The public pages' rate limits ("count/period"; settings.RATE_LIMITS may override any scope).
# No seed: they keep the online office [000 十七] open to residents and closed to scripts. Phones
# and tracking codes are counted in the normalized form the lookups compare (TrackForm,
# PublicCaseForm), so writing one number or code another way gets no fresh tries.
PUBLIC_RATES = {
    "public_submit_ip": "10/h",
    "public_submit_phone": "5/d",
    "public_track_ip": "30/h",
    "public_track_phone": "10/h",
    # A leaked code may not be tried with phone after phone from address after address.
    "public_track_code": "10/h",
    "public_captcha_ip": "200/h",
    # The resident's rating page: opening the page and sending the rating both count.
    "public_rate_ip": "60/h",
}
