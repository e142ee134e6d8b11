import sys

from django.conf import settings

from liaison.lib.validators import mask_mobile

from .base import BaseSmsBackend, SmsResult


class ConsoleBackend(BaseSmsBackend):
    """Prints each message to standard output, for development. Unless DEBUG is on, the phone is
    masked and secret parameters (a resident's one-time code) are printed as ******: a server's
    output ends up in log files that more people read than the outbox. A DEBUG server is a
    developer's own, whose error pages show every local variable anyway."""

    def send(self, message):
        if settings.DEBUG:
            phone, text = message.phone, message.text
        else:
            phone, text = mask_mobile(message.phone), message.shown_text
        sys.stdout.write(f"SMS to {phone} [{message.template}]: {text}\n")
        sys.stdout.flush()
        return SmsResult(provider_message_id=f"console-{message.pk}", provider_code="printed")
