from .base import BaseSmsBackend, SmsResult


class OutboxBackend(BaseSmsBackend):
    """Keeps messages in the database outbox (browsable in the admin) and sends nothing: the
    default, and what an installation without an SMS contract uses. A message with a secret
    parameter (a resident's one-time code) therefore reaches nobody: the outbox shows it masked,
    as it does for every backend."""

    def send(self, message):
        return SmsResult(provider_message_id=f"outbox-{message.pk}", provider_code="outbox")
