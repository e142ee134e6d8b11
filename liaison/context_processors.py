from functools import cache

from django.conf import settings

from .lib.sql import fetch_rows
from .models import Notice
from .portal import nav_menu_for


@cache
def _unread_sql():
    meta = Notice._meta
    return (
        f"SELECT COUNT(*) FROM {meta.db_table} WHERE {meta.get_field('user').column} = %s"
        f" AND {meta.get_field('read_at').column} IS NULL"
    )


def unread_notice_count(user):
    """The user's unread notices, for the frame of every signed-in page: one fixed statement (the
    index notice_user_unread serves it) instead of a queryset built on each request (issue 10)."""
    return fetch_rows(Notice, _unread_sql(), [user.pk])[0][0]


def navigation(request):
    """The frame's navigation and unread count, worked out once per request: a page that renders
    home-page panels runs the context processors once per panel template as well as for itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_notices": 0, "portal_name": settings.PORTAL_NAME}
    cached = getattr(request, "_navigation", None)
    if cached is None or cached[0] != user.pk:
        cached = (
            user.pk,
            {
                "nav_items": nav_menu_for(user),
                "unread_notices": unread_notice_count(user),
                "portal_name": settings.PORTAL_NAME,
            },
        )
        request._navigation = cached
    return cached[1]
