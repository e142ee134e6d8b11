"""An in-memory backend for tests, like Django's locmem e-mail backend: every Delivery handed to it,
secret parameters included, is appended to `sent`, which only the test process can read."""

from .base import BaseSmsBackend, SmsResult

sent = []


class LocmemBackend(BaseSmsBackend):
    def send(self, message):
        sent.append(message)
        return SmsResult(provider_message_id=f"locmem-{message.pk}", provider_code="locmem")
