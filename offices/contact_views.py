from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from liaison.lib.permissions import role_required
from liaison.models import Role

from .selectors import contact_network_shortfalls, deputies_visible_to


@role_required(Role.ORG_STAFF, Role.LIAISON)
def contact_shortfalls(request):
    """Deputies below their district's contact-network minimums [001]."""
    year = timezone.localdate().year
    deputies = deputies_visible_to(user=request.user).filter(status="serving")
    rows = contact_network_shortfalls(deputies=deputies, year=year)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "offices/contact_shortfalls.html", {"page": page, "year": year})
