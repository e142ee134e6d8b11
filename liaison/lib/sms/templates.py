"""Our SMS templates. A provider sends only texts it approved beforehand, identified by its own
template id (settings.SMS_TEMPLATE_IDS maps our names to those ids) and filled with positional
parameters; `params` gives their order. `text` is our rendering of the same words, stored on the
outbox row so staff can read what was sent.

`secret` names parameters nobody may read back, such as a one-time code: the outbox row shows them
as MASK, in its parameters and its text alike, and keeps the real values only sealed
(liaison.lib.sms.secrets) until the provider has them."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SmsTemplate:
    name: str
    text: str
    params: tuple
    secret: tuple = ()


MASK = "******"

TEMPLATES = {
    t.name: t
    for t in [
        SmsTemplate(
            "reception_reminder",
            # Approved provider text must read the same: {1} name, {2} first day, {3} last day.
            _("Dear {name}, the reception period runs from {start} to {end}. Please spend at least half a day at your fixed community."),
            ("name", "start", "end"),
        ),
        SmsTemplate(
            "reception_period_moved",
            # Sent to deputies already reminded when staff move the period: {1} name, {2} new first
            # day, {3} new last day, {4} old first day, {5} old last day.
            _("Dear {name}, the reception period of {old_start} to {old_end} has been moved to {start} to {end}. Please spend at least half a day at your fixed community then."),
            ("name", "start", "end", "old_start", "old_end"),
        ),
        SmsTemplate(
            "case_overdue",
            # {1} name, {2} tracking code, {3} which deadline, {4} the deadline. No resident's words.
            _("Dear {name}, case {code} is overdue: {what} (deadline {due}). Please handle it in the portal."),
            ("name", "code", "what", "due"),
        ),
        SmsTemplate(
            "privacy_code",
            # The one-time code of a resident's personal-information request: {1} code, {2} minutes.
            _("Your verification code is {code}, valid for {minutes} minutes. It lets you see, correct or delete the personal information you gave the deputy liaison office. If you did not ask for it, ignore this message."),
            ("code", "minutes"),
            secret=("code",),
        ),
        # ---- a unit's moves on a dispatched case (cases.dispatch_services). Only codes, unit
        # names and dates: no resident's words leave the system by text message.
        SmsTemplate(
            "case_returned",
            # To staff of the case's district: {1} name, {2} tracking code, {3} unit.
            _("Dear {name}, case {code} was returned by {unit} as not theirs to handle. Please dispatch it again in the portal."),
            ("name", "code", "unit"),
        ),
        SmsTemplate(
            "case_extension_decided",
            # To the unit's handlers: {1} name, {2} tracking code, {3} approved/refused, {4} deadline now.
            _("Dear {name}, your request to extend the reply deadline of case {code} was {decision}. The deadline is now {due}."),
            ("name", "code", "decision", "due"),
        ),
        SmsTemplate(
            "proposal_overdue",
            # {1} name, {2} the proposal's title (a deputy's words, cut short), {3} unit, {4} deadline.
            _("Dear {name}, the reply of {unit} to the proposal “{title}” is overdue (deadline {due}). Please handle it in the portal."),
            ("name", "title", "unit", "due"),
        ),
        # To the resident who reported a case (cases.resident_services), one per step. Only the
        # code and dates, never the case's words: an SMS can be read by anyone holding the phone.
        SmsTemplate(
            "case_received",
            # {1} tracking code, {2} the tracking page's address.
            _("Your request has been registered. Tracking code: {code}. Follow its progress at {url} with this code and your mobile number."),
            ("code", "url"),
        ),
        SmsTemplate(
            "case_dispatched",
            # {1} tracking code, {2} the reply deadline set for the responsible units.
            _("Your request {code} has been sent to the responsible units, who are to reply by {due}."),
            ("code", "due"),
        ),
        SmsTemplate(
            "case_answer_rate",
            # The answer is ready; the link opens it and takes the resident's own rating, once.
            # {1} tracking code, {2} the signed rating link, {3} days the link stays valid.
            _("The answer to your request {code} is ready. Read it and tell us whether you are satisfied: {url} (valid for {days} days, once)."),
            ("code", "url", "days"),
        ),
        SmsTemplate(
            "case_fed_back",
            # {1} tracking code, {2} the tracking page's address.
            _("The deputy liaison office has fed back the result of your request {code}. Progress: {url}"),
            ("code", "url"),
        ),
        SmsTemplate(
            "case_closed",
            # {1} tracking code.
            _("Your request {code} has been closed. Thank you for your trust in the deputy liaison office."),
            ("code",),
        ),
    ]
}


def render(name, params):
    template = TEMPLATES[name]
    return str(template.text).format(**{key: params.get(key, "") for key in template.params})


def secret_names(name):
    template = TEMPLATES.get(name)
    return template.secret if template else ()


def split_secret(name, params):
    """(params with the secret ones replaced by MASK, the secret ones alone)."""
    names = secret_names(name)
    secret = {key: params[key] for key in names if key in params}
    return {**params, **{key: MASK for key in secret}}, secret


def ordered_params(name, params):
    """The parameters as the provider wants them: strings, in the template's order."""
    template = TEMPLATES.get(name)
    keys = template.params if template else sorted(params)
    return [str(params.get(key, "")) for key in keys]
