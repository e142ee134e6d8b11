"""Hostile text in every text field of a case comes out harmless: escaped in every page that shows
it, neutralized in every Excel export (issue 4, "Done when")."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from cases import dispatch_services, proposal_services, services
from cases.models import CaseExportJob, ProposalKind, Satisfaction
from liaison.lib.exporters import FORMULA_PREFIXES
from offices.models import Unit

from . import journey

pytestmark = pytest.mark.django_db

HTML_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
FORMULA_PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)"]
PAYLOADS = HTML_PAYLOADS + FORMULA_PAYLOADS
MOBILE = "13612345678"


def build(world, p):
    """Cases carrying the payload in each of their text fields, at the stages that show them."""
    # A unit name is typed by staff in the admin; it shows in the review and its export.
    Unit.objects.create(name=p, jurisdiction=world.district_a)
    walked = journey.register(world, reporter_name=p[:50], reporter_address=p, title=p, content=p,
                              reporter_mobile=MOBILE)
    meeting = services.team_meeting_record(
        team=world.team_a1, date=timezone.localdate(), attendees=[world.deputy_a, world.deputy_b], notes=p,
        assignments=[(walked, world.deputy_b)], actor=world.deputy_a_user,
    )
    walked.refresh_from_db()
    walked = services.case_forward(case=walked, actor=world.liaison, comment=p)
    walked = services.case_dispatch(case=walked, units=[world.unit_a], deadline=timezone.localdate(),
                                    actor=world.district_staff, instructions=p)
    walked = services.case_reply(case=walked, result="solved", reply=p, actor=world.handler)
    # The resident's own comment with their rating is hostile text too.
    journey.rate(walked, Satisfaction.BASIC, comment=p)
    walked = services.case_feedback(case=walked, note=p, actor=world.deputy_b_user)
    walked = services.case_archive(case=walked, actor=world.district_staff, comment=p)
    answered = journey.register(world, title=p, content=p, spot_answer=p)
    # Registered and without an owner: on the team meeting's table (an answered case is not).
    journey.register(world, title=p, content=p)
    waiting = journey.forward(world, journey.assign(world, journey.register(world, title=p, content=p)))
    # In the unit's inbox, waiting for its reply.
    pending = journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world, title=p))))
    # A unit's words reach staff: an extension request and a returned case, each with its reason.
    dispatch_services.extension_request(dispatch=pending.dispatches.get(), reason=p, actor=world.handler,
                                        new_deadline=timezone.localdate() + datetime.timedelta(days=30))
    returned = journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world, title=p))))
    dispatch_services.dispatch_return(dispatch=returned.dispatches.get(), reason=p, actor=world.handler)
    proposal = proposal_services.proposal_file(lead=world.deputy_a, kind=ProposalKind.PROPOSAL, title=p, content=p,
                                               actor=world.deputy_a_user)
    return walked, answered, waiting, meeting, proposal, pending


def assert_harmless_html(response, p, where=""):
    assert response.status_code == 200, where
    html = response.content.decode()
    assert escape(p) in html, f"the payload should be on {where}, escaped"
    if "<" in p:
        assert p not in html, where
        assert "&lt;script&gt;" in html or "&lt;img" in html


@pytest.mark.parametrize("p", PAYLOADS)
def test_payloads_in_every_case_field_are_escaped_in_pages(world, client, p):
    walked, answered, waiting, meeting, proposal, pending = build(world, p)
    pages = [
        # The case page as the liaison (personal data, dispatches, unit reply, feedback, timeline).
        (world.liaison, reverse("cases:detail", args=[walked.pk])),
        (world.liaison, reverse("cases:detail", args=[answered.pk])),
        (world.liaison, reverse("cases:desk")),
        # The owner's queue, the unit's inbox and case page, the staff queues.
        (world.deputy_b_user, reverse("cases:queue")),
        (world.deputy_b_user, reverse("cases:detail", args=[walked.pk])),
        (world.handler, reverse("cases:inbox")),
        (world.handler, reverse("cases:detail", args=[walked.pk])),
        # A move's confirmation page (the unit's reply form) and the team meeting form.
        (world.handler, reverse("cases:reply", args=[pending.pk])),
        (world.deputy_a_user, reverse("cases:meeting_new", args=[world.team_a1.pk])),
        (world.district_staff, reverse("cases:dispatch_queue")),
        (world.district_staff, reverse("cases:extension_approve", args=[pending.dispatches.get().extensions.get().pk])),
        (world.district_staff, reverse("cases:detail", args=[walked.pk])),
        # The team meeting's notes, the proposal, the year-end review's unit names.
        (world.deputy_a_user, reverse("cases:meeting", args=[meeting.pk])),
        (world.deputy_a_user, reverse("proposals:detail", args=[proposal.pk])),
        (world.deputy_a_user, reverse("proposals:list")),
        (world.city_staff, reverse("case_reports:review")),
        # The admin register (change list and read-only change page with the timeline).
        (world.city_staff, reverse("admin:cases_case_changelist")),
        (world.city_staff, reverse("admin:cases_case_change", args=[walked.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        assert_harmless_html(client.get(url), p, url)
    # Each text field of the walked case reaches the page that shows it.
    client.force_login(world.liaison)
    html = client.get(reverse("cases:detail", args=[walked.pk])).content.decode()
    assert html.count(escape(p)) >= 6  # title, content, instructions, reply, feedback, timeline comments
    # The resident's tracking page (no login): title escaped, public progress only.
    client.logout()
    response = client.post(reverse("public:track"), {"code": walked.tracking_code, "mobile": MOBILE})
    assert_harmless_html(response, p)


def cells_of(content):
    wb = load_workbook(io.BytesIO(content))
    return [c for row in wb.active.iter_rows() for c in row]


def assert_harmless_cells(cells, p, *, kept_html=True):
    values = [c.value for c in cells if isinstance(c.value, str)]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no cell may be a formula"
    assert not [v for v in values if v.startswith(FORMULA_PREFIXES)], "no text may start like a formula"
    if "<" in p and not kept_html:
        assert not [v for v in values if "<script" in v or "<img" in v]
    elif p.startswith(FORMULA_PREFIXES):
        assert "'" + p in values  # there, quoted
    else:
        assert p in values  # HTML is just text in a spreadsheet


def download(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("p", PAYLOADS)
def test_payloads_in_every_case_field_are_neutralized_in_exports(
    world, client, settings, tmp_path, django_capture_on_commit_callbacks, p
):
    settings.MEDIA_ROOT = tmp_path
    walked, answered, *_others = build(world, p)
    client.force_login(world.district_staff)
    # The staff's case list with contact details in clear: name, address, title, content,
    # on-the-spot answer, feedback note each in a cell of their own.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("case_reports:export"), {"personal_data": "on"})
    job = CaseExportJob.objects.get()
    cells = cells_of(download(client.get(reverse("case_reports:export_download", args=[job.pk]))))
    assert_harmless_cells(cells, p)
    rows = {}
    for c in cells:
        rows.setdefault(c.row, []).append(c.value)
    by_code = {r[0]: r for r in rows.values()}
    quoted = ("'" + p) if p.startswith(FORMULA_PREFIXES) else p
    w, a = by_code[walked.tracking_code], by_code[answered.tracking_code]
    # title, content, reporter's name, address, feedback note; the answered case's spot answer.
    assert [w[4], w[5], w[10], w[12], w[18]] == [quoted] * 5
    assert a[13] == quoted
    assert w[16].endswith(p) and not w[16].startswith(FORMULA_PREFIXES)  # "unit (round): result reply"
    from django.test import TestCase

    from liaison.models import BackgroundExport

    # The year-end review (unit names): a background export, run in process here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.get(reverse("case_reports:review_export"))
    job = BackgroundExport.objects.get(exporter="unit_review")
    cells = cells_of(b"".join(client.get(reverse("exports:download", args=[job.pk])).streaming_content))
    assert_harmless_cells(cells, p)
    # The admin change list export of the cases.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("admin:cases_case_changelist"),
                               {"action": "export_xlsx", "index": 0, "_selected_action": ["0"], "select_across": "1"})
    job = BackgroundExport.objects.latest("pk")
    assert response.status_code == 302 and job.status == BackgroundExport.Status.DONE
    file = client.get(reverse("exports:download", args=[job.pk]))
    # (The admin export strips tags from text cells, so HTML payloads arrive without their tags.)
    assert_harmless_cells(cells_of(b"".join(file.streaming_content)), p, kept_html=False)
