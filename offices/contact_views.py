from django.shortcuts import render
from django.utils import timezone

from liaison.lib.pagination import BoundedPaginator
from liaison.lib.permissions import role_required
from liaison.models import Role

from .selectors import contact_network_shortfalls, contact_shortfall_rows, deputies_visible_to


@role_required(Role.ORG_STAFF, Role.LIAISON)
def contact_shortfalls(request):
    """Deputies below their district's contact-network minimums [001]: a page of 50 read by the
    database, counted up to 500 rows (city staff have 20,000 deputies in scope: each counted row
    costs its contact subqueries, 40 ms for 1,000 at that scale)."""
    year = timezone.localdate().year
    deputies = deputies_visible_to(user=request.user).filter(status="serving")
    page = BoundedPaginator(contact_network_shortfalls(deputies=deputies, year=year), 50, count_limit=500).get_page(
        request.GET.get("page")
    )
    page.object_list = contact_shortfall_rows(page.object_list)
    return render(request, "offices/contact_shortfalls.html", {"page": page, "year": year})
