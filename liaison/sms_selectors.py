"""Who reads which rows of the SMS outbox. The outbox is business data: reminders name deputies and
their districts, overdue notices name cases. Organization staff see their own district's messages
(city staff: all, including messages to residents, which belong to no district); nobody else sees
any, the system administrator included (separation of duties, docs/security.md §2)."""

from liaison.models import Role, SmsMessage


def sms_messages_visible_to(*, user):
    qs = SmsMessage.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role != Role.ORG_STAFF or user.jurisdiction_id is None:
        return qs.none()
    district_id = user.staff_district_id
    if district_id is None:
        return qs  # city staff
    return qs.filter(district_id=district_id)
