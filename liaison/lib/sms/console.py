import sys

from .base import BaseSmsBackend, SmsResult


class ConsoleBackend(BaseSmsBackend):
    """Prints each message to standard output, for development."""

    def send(self, message):
        sys.stdout.write(f"SMS to {message.phone} [{message.template}]: {message.text}\n")
        sys.stdout.flush()
        return SmsResult(provider_message_id=f"console-{message.pk}", provider_code="printed")
