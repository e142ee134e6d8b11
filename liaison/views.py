from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .portal import panels_for


def home_or(anonymous_view):
    """`/`: a signed-in user's role home; for everyone else `anonymous_view`, the public online
    office's front door (residents come to the portal's address first; staff follow its login
    link). The root URLconf names the front door, so this app imports none of the apps above it."""

    def home(request):
        if not request.user.is_authenticated:
            return anonymous_view(request)
        return render(request, "liaison/home.html", {"panels": panels_for(request)})

    return home


@login_required
def hello(request):
    """A signed-in page with nothing of its own (no query, no template) on the whole middleware
    stack: the floor every page starts from, measured by the benchmarks (bench/README.md)."""
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")


@login_required
def notices(request):
    page = Paginator(request.user.notices.all(), 30).get_page(request.GET.get("page"))
    return render(request, "liaison/notices.html", {"page": page})


@login_required
@require_POST
def notices_mark_read(request):
    request.user.notices.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notices")
