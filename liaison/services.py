"""System-wide writes: in-portal notices and audit entries."""


from django.db import connection, transaction
from django.utils import timezone

from . import rules
from .models import AuditLog, Notice


def notice_send(*, user, text, url=""):
    """Put a notice on a user's home page. Safe to call inside a transaction."""
    return Notice.objects.create(user=user, text=str(text)[:500], url=url)


def notices_send(*, users, text, url=""):
    """The same notice to many users (instances or primary keys) in one INSERT."""
    Notice.objects.bulk_create([Notice(user_id=getattr(u, "pk", u), text=str(text)[:500], url=url) for u in users])


def client_ip(request):
    """The client's address as the security controls see it: the one django-axes resolved (which
    honours BEHIND_PROXY) when there is one, else REMOTE_ADDR."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None


def audit_record(*, action, request=None, actor=None, obj=None, outcome="ok", ip=None, **detail):
    """Append one audit entry: who (actor or request.user), from which IP, did what to which object.
    Services that have no request pass the client's `ip` themselves."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    entry = AuditLog(
        actor=actor,
        actor_repr=str(actor) if actor else detail.pop("username", ""),
        ip=ip or client_ip(request),
        action=action,
        outcome=outcome,
        detail=detail,
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    # Logged even when the surrounding transaction rolls back would be ideal for failures; callers
    # that record a refusal do so outside their atomic block.
    if connection.in_atomic_block:
        # Inside the caller's transaction: in a savepoint, so that a failed insert leaves the
        # caller's transaction usable.
        with transaction.atomic():
            entry.save()
    else:
        # In autocommit (a page that records a look at personal data) the entry is one INSERT,
        # atomic on its own: wrapped in atomic() it cost a BEGIN and a COMMIT more, two of the
        # statements of every such page (the staff case page, the SMS outbox list: 13 and 14,
        # issue 10's bound is 12).
        entry.save()
    return entry


def audit_purge(*, now=None):
    """Delete audit entries older than AUDIT_RETENTION_DAYS, and nothing younger. The only way
    rows leave the audit log. On PostgreSQL it goes through liaison_auditlog_purge() (migration
    liaison/0008): a SECURITY DEFINER function of the owner role, the one place the append-only
    trigger lets a DELETE through for the application's role, and which deletes nothing younger
    than a year by the database's own clock whatever cutoff it is given."""
    now = now or timezone.now()
    cutoff = now - rules.audit_retention()
    table = AuditLog._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT liaison_auditlog_purge(%s)", [cutoff])
            deleted = cursor.fetchone()[0]
        else:
            cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])  # noqa: S608 (table name is ours)
            deleted = cursor.rowcount
    audit_record(action="audit_purged", deleted=deleted, before=cutoff.isoformat())
    return deleted
