"""Residents' personal-information rights (PIPL arts. 44–47) and retention (art. 19).

A resident proves they hold the phone they gave us with a one-time code sent to it, then sees the
cases that carry their name, phone and address, corrects them, or has them deleted. Deletion and
retention anonymize: the reporter's name, phone and address are blanked and the case is marked
anonymous, while the case's own content (title, what was asked, the units' replies) stays for the
record, as the archive rules require.

Nothing a resident sees says whether a phone has data with us: a phone without cases gets a
request row like any other, but no code, so every code typed for it is "wrong or expired".
Phones and codes are kept as keyed digests (liaison.models.PrivacyRequest).
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from cases.models import Case, Status
from liaison import rules
from liaison.lib import sms
from liaison.lib.validators import mask_mobile, normalize_mobile, validate_cn_mobile
from liaison.models import AuditLog, PrivacyRequest, SmsMessage
from liaison.services import audit_record

# Kept under their old names for importers; the rules themselves are liaison.rules.
CODE_TTL = rules.PRIVACY_CODE_TTL
CODE_MAX_ATTEMPTS = rules.PRIVACY_CODE_MAX_ATTEMPTS
VERIFIED_VISIT = rules.PRIVACY_VERIFIED_VISIT
RESIDENT = "resident"


def phone_digest(phone):
    return salted_hmac("liaison.privacy.phone", normalize_mobile(phone)).hexdigest()


def _code_digest(request_id, code):
    return salted_hmac("liaison.privacy.code", f"{request_id}:{code}").hexdigest()


def _resident(phone):
    return f"{RESIDENT} {mask_mobile(phone)}"


def resident_cases(*, phone):
    """The cases that carry this phone as the reporter's: the resident's own data, and only theirs."""
    phone = normalize_mobile(phone)
    if not phone:
        return Case.objects.none()
    return (
        Case.objects.filter(reporter_mobile=phone)
        .select_related("office", "category")
        .order_by("-received_on", "-id")
    )


def _issue_code(privacy_request, phone, now):
    """Store the code's digest on the request and put the SMS in the outbox, delivered at once:
    the resident is waiting for it, so quiet hours (meant for reminders) do not apply."""
    code = f"{secrets.randbelow(10**6):06d}"
    privacy_request.code_digest = _code_digest(privacy_request.pk, code)
    privacy_request.code_expires_at = now + CODE_TTL
    privacy_request.code_attempts = 0
    privacy_request.save(update_fields=["code_digest", "code_expires_at", "code_attempts"])
    # The template marks the code secret: the outbox row shows ******, holds the code only sealed
    # until the provider has it, and never sends it after it has expired.
    message = sms.sms_build(
        phone=phone, template="privacy_code", params={"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)},
        now=now, expires_at=privacy_request.code_expires_at,
    )
    message.scheduled_at = now
    # Leased to the direct delivery below, so the periodic sweep does not send it a second time;
    # should that delivery never happen, the sweep takes the row once the lease has expired.
    message.claimed_at = now
    message.save()

    def deliver():
        from liaison.tasks import sms_deliver_now

        sms_deliver_now.delay(message.pk)

    transaction.on_commit(deliver)
    return message


@transaction.atomic
def privacy_request_start(*, phone, ip=None, now=None):
    """A resident asks to see their data. A code goes to the phone only if it has cases."""
    validate_cn_mobile(phone)
    phone = normalize_mobile(phone)
    now = now or timezone.now()
    privacy_request = PrivacyRequest.objects.create(
        kind=PrivacyRequest.Kind.ACCESS, phone_digest=phone_digest(phone), phone_masked=mask_mobile(phone), ip=ip
    )
    has_data = resident_cases(phone=phone).exists()
    if has_data:
        _issue_code(privacy_request, phone, now)
    audit_record(
        action="privacy_request_started", obj=privacy_request, ip=ip, username=_resident(phone), code_sent=has_data
    )
    return privacy_request


def _check_code(privacy_request, code, now, ip):
    """Lock the request and check the code. True once; a wrong code counts, and the fifth wrong
    one ends the request. Returns (locked request, ok)."""
    locked = PrivacyRequest.objects.select_for_update().get(pk=privacy_request.pk)
    if locked.status != PrivacyRequest.Status.PENDING:
        return locked, False
    given = str(code or "").strip()
    ok = (
        bool(locked.code_digest)
        and locked.code_expires_at is not None
        and now <= locked.code_expires_at
        and constant_time_compare(locked.code_digest, _code_digest(locked.pk, given))
    )
    if ok:
        locked.code_digest = ""  # single use
        locked.verified_at = now
        locked.save(update_fields=["code_digest", "verified_at"])
        return locked, True
    locked.code_attempts += 1
    fields = ["code_attempts"]
    if locked.code_attempts >= CODE_MAX_ATTEMPTS:
        locked.status = PrivacyRequest.Status.REFUSED
        locked.outcome = "too many wrong codes"
        locked.completed_at = now
        fields += ["status", "outcome", "completed_at"]
    locked.save(update_fields=fields)
    audit_record(
        action="privacy_code_failed", obj=locked, ip=ip, outcome="refused" if locked.status == "refused" else "failed",
        username=f"{RESIDENT} {locked.phone_masked}", attempts=locked.code_attempts,
    )
    return locked, False


def privacy_request_verify(*, privacy_request, code, phone, ip=None, now=None):
    """Check the code of an access request. On success the request is done and the resident may
    see their cases. Returns True or False; failures are recorded even so."""
    now = now or timezone.now()
    with transaction.atomic():
        locked, ok = _check_code(privacy_request, code, now, ip)
        if not ok:
            return False
        if locked.kind != PrivacyRequest.Kind.ACCESS or locked.phone_digest != phone_digest(phone):
            return False
        cases = list(resident_cases(phone=phone).values_list("tracking_code", flat=True))
        locked.status = PrivacyRequest.Status.DONE
        locked.completed_at = now
        locked.case_count = len(cases)
        locked.outcome = "verified"
        locked.detail = {"cases": cases}
        locked.save(update_fields=["status", "completed_at", "case_count", "outcome", "detail"])
        audit_record(action="privacy_verified", obj=locked, ip=ip, username=_resident(phone), cases=len(cases))
    return True


def privacy_data_viewed(*, verified_request, phone, cases, ip=None):
    """Record that the resident was shown their own personal data."""
    audit_record(
        action="privacy_data_viewed", obj=verified_request, ip=ip, username=_resident(phone),
        cases=[c.tracking_code for c in cases],
    )


def _own_case(case, phone):
    """Under lock: the case still carries this phone, so it is still this resident's."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.reporter_mobile != normalize_mobile(phone):
        raise ValidationError(_("This request is no longer linked to your mobile number."), code="not_yours")
    return locked


def _apply_correction(*, privacy_request, case, phone, name, address, mobile, ip, now):
    locked = _own_case(case, phone)
    new = {"reporter_name": name.strip(), "reporter_address": address.strip(), "reporter_mobile": normalize_mobile(mobile)}
    changed = [f for f, v in new.items() if getattr(locked, f) != v]
    for field in changed:
        setattr(locked, field, new[field])
    if changed:
        locked.save(update_fields=changed)
    privacy_request.status = PrivacyRequest.Status.DONE
    privacy_request.completed_at = now
    privacy_request.case_count = 1
    privacy_request.outcome = "corrected" if changed else "nothing to change"
    privacy_request.detail = {"cases": [locked.tracking_code], "fields": changed}
    privacy_request.save(update_fields=["status", "completed_at", "case_count", "outcome", "detail"])
    audit_record(
        action="privacy_corrected", obj=locked, ip=ip, username=_resident(phone), fields=changed,
        request_id=privacy_request.pk,
    )
    return changed


def privacy_correct(*, verified_request, case, phone, name, address, mobile, ip=None, now=None):
    """Correct the name, address or phone of one of the resident's cases. A new phone must be
    proven too: the correction then waits for the code sent to it (privacy_correct_confirm) and
    the returned request is pending. Otherwise it is applied at once and the request is done."""
    validate_cn_mobile(mobile)
    now = now or timezone.now()
    new_phone = normalize_mobile(mobile)
    with transaction.atomic():
        privacy_request = PrivacyRequest.objects.create(
            kind=PrivacyRequest.Kind.CORRECT, phone_digest=phone_digest(phone), phone_masked=mask_mobile(phone),
            ip=ip, verified_by=verified_request, verified_at=now,
        )
        if new_phone == normalize_mobile(phone):
            _apply_correction(
                privacy_request=privacy_request, case=case, phone=phone, name=name, address=address, mobile=new_phone,
                ip=ip, now=now,
            )
            return privacy_request
        _own_case(case, phone)
        privacy_request.verified_at = None
        privacy_request.detail = {"cases": [case.tracking_code], "new_phone": mask_mobile(new_phone)}
        privacy_request.save(update_fields=["verified_at", "detail"])
        _issue_code(privacy_request, new_phone, now)
        audit_record(
            action="privacy_correction_code_sent", obj=case, ip=ip, username=_resident(phone),
            new_phone=mask_mobile(new_phone), request_id=privacy_request.pk,
        )
    return privacy_request


def privacy_correct_confirm(*, privacy_request, code, case, phone, name, address, mobile, ip=None, now=None):
    """Apply a correction that changes the phone, once the code sent to the new phone is right."""
    now = now or timezone.now()
    with transaction.atomic():
        locked, ok = _check_code(privacy_request, code, now, ip)
        if not ok:
            return False
        if locked.kind != PrivacyRequest.Kind.CORRECT:
            return False
        _apply_correction(
            privacy_request=locked, case=case, phone=phone, name=name, address=address, mobile=mobile, ip=ip, now=now,
        )
    return True


def _anonymize(case_ids, *, extra=None):
    """Blank the reporter's personal data on these cases (the same conditions re-checked in the
    UPDATE, so a concurrent correction is not overwritten by a stale list)."""
    updated = (
        Case.objects.filter(pk__in=case_ids, **(extra or {}))
        .exclude(reporter_name="", reporter_mobile="", reporter_address="")
        .update(reporter_name="", reporter_mobile="", reporter_address="", is_anonymous=True)
    )
    # The SMS the resident got about these cases (cases.resident_services) carry their number too.
    sent = list(
        SmsMessage.objects.filter(resident_message__case_id__in=case_ids)
        .exclude(status=SmsMessage.Status.QUEUED).exclude(phone__contains="*").only("pk", "phone")
    )
    for message in sent:
        message.phone = mask_mobile(message.phone)
    SmsMessage.objects.bulk_update(sent, ["phone"], batch_size=500)
    return updated


def privacy_delete(*, verified_request, cases, phone, ip=None, now=None):
    """Delete (anonymize) the resident's personal data on the given cases, which must all still be
    theirs. The cases themselves stay, without name, phone or address. When no case carries the
    phone any more, the phone is masked in the SMS outbox too."""
    now = now or timezone.now()
    phone = normalize_mobile(phone)
    with transaction.atomic():
        locked = [_own_case(c, phone) for c in cases]
        codes = [c.tracking_code for c in locked]
        count = _anonymize([c.pk for c in locked], extra={"reporter_mobile": phone})
        privacy_request = PrivacyRequest.objects.create(
            kind=PrivacyRequest.Kind.DELETE, status=PrivacyRequest.Status.DONE, phone_digest=phone_digest(phone),
            phone_masked=mask_mobile(phone), ip=ip, verified_by=verified_request, verified_at=now, completed_at=now,
            case_count=count, outcome="anonymized", detail={"cases": codes},
        )
        for case in locked:
            audit_record(
                action="privacy_deleted", obj=case, ip=ip, username=_resident(phone), request_id=privacy_request.pk,
            )
        if not Case.objects.filter(reporter_mobile=phone).exists():
            SmsMessage.objects.filter(phone=phone).exclude(status=SmsMessage.Status.QUEUED).update(phone=mask_mobile(phone))
    return privacy_request


# ---------------------------------------------------------------- retention

def retention_cutoff(now=None):
    """The moment before which an archived case's personal data has been kept long enough."""
    now = now or timezone.now()
    years = rules.resident_data_retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def retention_due(cutoff):
    """Archived cases past the cutoff that still hold a reporter's personal data, oldest id first
    (the index case_status_changed serves it)."""
    return (
        Case.objects.filter(status=Status.ARCHIVED, status_changed_at__lt=cutoff)
        .exclude(reporter_name="", reporter_mobile="", reporter_address="")
        .order_by("pk")
    )


def resident_data_retention_run(*, now=None, batch_size=500):
    """Anonymize every case archived longer ago than RESIDENT_DATA_RETENTION_YEARS that still
    holds a reporter's personal data. Idempotent: anonymized cases no longer match, so a second
    run finds nothing. Each case gets one audit entry. Returns the number anonymized."""
    cutoff = retention_cutoff(now)
    total = 0
    while True:
        ids = list(retention_due(cutoff).values_list("pk", "tracking_code", "title")[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            count = _anonymize([pk for pk, _code, _title in ids], extra={"status": Status.ARCHIVED, "status_changed_at__lt": cutoff})
            AuditLog.objects.bulk_create(
                [
                    AuditLog(
                        action="resident_data_anonymized", actor_repr="system", object_type=Case._meta.label_lower,
                        object_id=str(pk), object_repr=f"{code} {title}"[:200],
                        detail={"reason": "retention", "years": rules.resident_data_retention_years()},
                    )
                    for pk, code, title in ids
                ]
            )
        total += count
        if len(ids) < batch_size:
            break
    return total
