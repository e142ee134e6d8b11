from django.conf import settings

from .portal import nav_menu_for


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
                "unread_notices": user.notices.filter(read_at__isnull=True).count(),
                "portal_name": settings.PORTAL_NAME,
            },
        )
        request._navigation = cached
    return cached[1]
