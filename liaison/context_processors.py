from django.conf import settings

from .portal import nav_menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_notices": 0, "portal_name": settings.PORTAL_NAME}
    return {
        "nav_items": nav_menu_for(user),
        "unread_notices": user.notices.filter(read_at__isnull=True).count(),
        "portal_name": settings.PORTAL_NAME,
    }
