from dataclasses import dataclass, field


class SmsError(Exception):
    """A provider refused or failed to send. `permanent` errors (bad number, template not
    approved) are not retried; temporary ones (network, rate limit) are. `code` is the
    provider's own error code, stored on the message."""

    def __init__(self, message, *, permanent=False, code=""):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


@dataclass(frozen=True)
class Delivery:
    """One message as a backend sends it. Unlike the outbox row, `params` and `text` carry the
    secret parameters (a one-time code) in clear; `shown_text` is the text as the outbox shows it.
    Backends must not log or store `params` or `text`."""

    pk: int | None
    phone: str
    template: str
    # Out of the repr, so that an error message quoting the object cannot carry the code into the
    # row's `error` column or a log.
    params: dict = field(repr=False)
    text: str = field(repr=False)
    shown_text: str = ""


@dataclass(frozen=True)
class SmsResult:
    """What a provider said about an accepted message."""

    provider_message_id: str = ""
    provider_code: str = ""
    template_id: str = ""


class BaseSmsBackend:
    """Sends one Delivery (see above). Returns an SmsResult (or just the provider's message id) on success,
    raises SmsError on failure. Backends never touch the database; liaison.lib.sms does."""

    def send(self, message):
        raise NotImplementedError
