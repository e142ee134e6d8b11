"""The resident's side of a case (issue 12 items 2–4; SPEC §3, [003] 公布/反馈, [000 九]): an SMS at
every step, the resident's own rating through a signed single-use link, the non-owner follow-up
回访 when the resident gives none, and a tracking page that shows what the resident should see."""

import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.forms import FeedbackForm
from cases.models import Case, CaseRating, ResidentMessage, Satisfaction, SatisfactionSource, Status
from cases.resident_services import RatingLinkError, case_follow_up, case_rate, rating_token, resident_sms
from cases.review_selectors import as_reviews, unit_review_queryset
from cases.unit_figures_services import unit_figures_rebuild
from liaison.models import SmsMessage
from scoring.models import Entry

from . import journey

pytestmark = pytest.mark.django_db

MOBILE = "13612345678"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def texts(case=None):
    qs = SmsMessage.objects.filter(phone=MOBILE).order_by("created_at", "pk")
    return list(qs.values_list("template", flat=True))


def link_of(case):
    """The rating link as the resident receives it: read from the SMS outbox row."""
    message = ResidentMessage.objects.get(case=case, sms__template="case_answer_rate", round=case.dispatch_round)
    return urlsplit(message.sms.params["url"]).path


def replied(world, **extra):
    return journey.through(world, journey.register(world, **extra), "replied")


def item3_points(deputy):
    return Entry.objects.filter(deputy=deputy, event__in=["case_satisfied_very", "case_satisfied_basic"]).aggregate(
        total=Sum("points")
    )["total"] or 0


def expire(case):
    """Move past the end of the rating link of the case's current round."""
    rating = CaseRating.objects.get(case=case, round=case.dispatch_round)
    return time_machine.travel(rating.expires_at + datetime.timedelta(minutes=1), tick=False)


# ---------------------------------------------------------------- 2. an SMS at every step


def test_resident_gets_an_sms_at_every_step_from_the_tracking_code_to_the_closing_003(world):
    case = journey.register(world)
    intake = SmsMessage.objects.get(template="case_received")
    # Registered at a reception by the liaison: the resident still gets the code, on their phone.
    assert intake.phone == MOBILE and case.tracking_code in intake.text
    case = journey.through(world, case, "archived")
    assert texts() == ["case_received", "case_dispatched", "case_answer_rate", "case_fed_back", "case_closed"]
    assert set(ResidentMessage.objects.filter(case=case).values_list("step", flat=True)) == set(ResidentMessage.Step)
    # Only the code and dates leave by SMS, never the resident's words.
    assert not SmsMessage.objects.filter(text__contains="楼道灯").exists()


def test_anonymous_reporters_get_no_sms_and_no_rating_is_waited_for(world):
    case = journey.register(world, is_anonymous=True)
    case = journey.through(world, case, "replied")
    case = services.case_feedback(case=case, note="已在社区公告栏公布结果", actor=world.deputy_b_user)
    case = services.case_archive(case=case, actor=world.district_staff)
    assert case.status == Status.ARCHIVED and case.satisfaction == ""
    assert not SmsMessage.objects.exists() and not ResidentMessage.objects.exists()
    assert not CaseRating.objects.exists()


def test_each_step_is_texted_exactly_once_per_round(world):
    case = journey.register(world)
    again = resident_sms(case=case, step=ResidentMessage.Step.INTAKE, template="case_received", round=0,
                         params={"code": case.tracking_code, "url": "x"})
    assert again is None
    assert SmsMessage.objects.filter(template="case_received").count() == 1


def test_a_dissatisfied_resident_is_told_of_the_new_round_too(world):
    case = replied(world)
    journey.rate(case, Satisfaction.DISSATISFIED)
    case = services.case_feedback(case=case, note="已告知", actor=world.deputy_b_user)
    case = journey.reply(world, journey.dispatch(world, case))
    assert texts().count("case_dispatched") == 2 and texts().count("case_answer_rate") == 2
    assert link_of(case) != urlsplit(
        ResidentMessage.objects.get(case=case, step="reply", round=1).sms.params["url"]
    ).path


def test_resident_sms_in_quiet_hours_waits_until_eight_in_the_morning_000(world):
    night = timezone.make_aware(datetime.datetime(2026, 5, 6, 23, 30))
    with time_machine.travel(night, tick=False):
        journey.register(world)
    message = SmsMessage.objects.get(template="case_received")
    assert timezone.localtime(message.scheduled_at).hour == 8
    assert timezone.localtime(message.scheduled_at).date() == datetime.date(2026, 5, 7)


def test_resident_sms_is_handed_to_the_outbox_only_once_the_move_commits(world, django_capture_on_commit_callbacks):
    # In the day: from 22:00 to 08:00 (Asia/Shanghai) the message would wait for the morning.
    day = timezone.make_aware(datetime.datetime(2026, 5, 6, 10, 30))
    with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
        journey.register(world)
    assert SmsMessage.objects.get(template="case_received").status == SmsMessage.Status.SENT


def test_a_move_that_is_rolled_back_texts_nobody(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        journey.register(world)
        raise RuntimeError
    assert not SmsMessage.objects.exists() and not ResidentMessage.objects.exists()


# ---------------------------------------------------------------- 3. the resident rates the answer


def test_owner_deputy_cannot_set_the_satisfaction_that_scores_them_000(world, login_as):
    case = replied(world)
    assert "satisfaction" not in FeedbackForm().fields
    with pytest.raises(TypeError):
        services.case_feedback(case=case, satisfaction="very", note="x", actor=world.deputy_b_user)
    # The owner's feedback POST with a satisfaction records the note and nothing else.
    owner = login_as(world.deputy_b_user)
    assert owner.post(reverse("cases:feedback", args=[case.pk]), {"note": "已告知", "satisfaction": "very"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.FED_BACK and case.satisfaction == "" and item3_points(world.deputy_b) == 0
    # Nor may the owner record the follow-up, through the service or the page, even once it is due.
    with expire(case):
        with pytest.raises(PermissionDenied):
            case_follow_up(case=case, satisfaction="very", actor=world.deputy_b_user)
        owner = login_as(world.deputy_b_user)  # a week later: a fresh session
        assert owner.get(reverse("cases:follow_up", args=[case.pk])).status_code == 403
        assert owner.post(reverse("cases:follow_up", args=[case.pk]), {"satisfaction": "very"}).status_code == 403
    case.refresh_from_db()
    assert case.satisfaction == ""


def test_the_residents_own_rating_is_the_satisfaction_and_earns_points_item_3_002(world, django_capture_on_commit_callbacks):
    case = replied(world)
    with django_capture_on_commit_callbacks(execute=True):
        r = Client().post(link_of(case), {"satisfaction": "very", "comment": "灯修好了，谢谢"})
    assert r.status_code == 302 and r["Location"] == link_of(case)
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.VERY and case.satisfaction_source == SatisfactionSource.RESIDENT
    assert case.status == Status.REPLIED  # the owner still tells the resident the result
    rating = CaseRating.objects.get(case=case)
    assert rating.comment == "灯修好了，谢谢" and rating.called_by is None and rating.rated_at
    event = case.events.get(action="rate")
    assert event.actor is None and event.actor_repr in ("群众", "Resident") and "灯修好了" in event.comment
    assert item3_points(world.deputy_b) == 6  # item 3: very satisfied, 6 points, to the owner


def test_a_link_for_case_a_cannot_rate_case_b(world):
    case_a = replied(world)
    case_b = replied(world, title="另一件")
    token_a = link_of(case_a).rstrip("/").rsplit("/", 1)[1]
    rating_b = CaseRating.objects.get(case=case_b)
    # Case B's row id under case A's signature and nonce: the signature no longer matches.
    forged = token_a.replace(token_a.split(".", 1)[0], str(rating_b.pk), 1)
    r = Client().post(reverse("public:rate", args=[forged]), {"satisfaction": "very"})
    assert r.status_code == 404 and "链接无效" in r.content.decode()
    # Case B's row id with case A's nonce, correctly signed (a leaked key): the nonce does not match.
    rating_a = CaseRating.objects.get(case=case_a)
    rating_b.nonce, real_nonce = rating_a.nonce, rating_b.nonce
    signed = rating_token(rating_b)
    with pytest.raises(RatingLinkError) as exc:
        case_rate(token=signed, satisfaction="very")
    assert exc.value.code == "invalid" and real_nonce != rating_a.nonce
    case_b.refresh_from_db()
    assert case_b.satisfaction == ""


def test_a_used_link_cannot_rate_again(world):
    case = replied(world)
    resident = Client()
    assert resident.post(link_of(case), {"satisfaction": "dissatisfied"}).status_code == 302
    r = resident.post(link_of(case), {"satisfaction": "very"})
    assert r.status_code == 410
    assert "已经记录" in r.content.decode() or "已记录" in r.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.DISSATISFIED and case.events.filter(action="rate").count() == 1


def test_an_expired_link_gets_a_clear_chinese_page_and_rates_nothing(world):
    case = replied(world)
    with expire(case):
        r = Client().post(link_of(case), {"satisfaction": "very"})
        assert r.status_code == 410 and "已过期" in r.content.decode()
        assert Client().get(link_of(case)).status_code == 410
    case.refresh_from_db()
    assert case.satisfaction == ""


@pytest.mark.parametrize("token", ["nonsense", "1.abc:xyz:sig", "9999.x:1tq:AAAA", "%00", "a" * 500])
def test_a_tampered_link_gets_a_clear_page_never_an_error(world, token):
    replied(world)
    r = Client().get(reverse("public:rate", args=[token]))
    assert r.status_code == 404 and "链接无效" in r.content.decode()


def test_the_link_of_an_earlier_round_closes_when_the_case_is_dispatched_again(world):
    case = replied(world)
    old_link = link_of(case)
    journey.rate(case, Satisfaction.DISSATISFIED)
    case = services.case_feedback(case=case, note="已告知", actor=world.deputy_b_user)
    journey.dispatch(world, case)
    r = Client().get(old_link)
    assert r.status_code == 410


def test_rating_page_shows_the_units_answer_and_never_the_internal_notes(world, django_assert_max_num_queries):
    case = replied(world)
    with django_assert_max_num_queries(6):
        r = Client().get(link_of(case))
    html = r.content.decode()
    assert r.status_code == 200 and "已更换灯泡" in html and world.unit_a.name in html
    assert "请核实" not in html and MOBILE not in html and "东和路8号" not in html
    assert "非常满意" in html and "基本满意" in html and "不满意" in html
    r = Client().post(link_of(case), {"satisfaction": ""})
    assert r.status_code == 400 and "请选择" in r.content.decode()


def test_rating_page_is_complete_in_english(world):
    case = replied(world)
    resident = Client()
    resident.post(reverse("set_language"), {"language": "en", "next": "/"})
    r = resident.get(link_of(case))
    html = r.content.decode()
    assert "Rate the answer to your request" in html and "Very satisfied" in html and "Send my rating" in html


def test_rating_page_is_rate_limited_like_the_other_public_pages(world, settings):
    settings.RATE_LIMITS = {"public_rate_ip": "2/h"}
    case = replied(world)
    resident = Client()
    assert resident.get(link_of(case)).status_code == 200
    assert resident.get(link_of(case)).status_code == 200
    r = resident.post(link_of(case), {"satisfaction": "very"})
    assert r.status_code == 429
    case.refresh_from_db()
    assert case.satisfaction == ""


def test_dissatisfied_resident_sends_the_case_back_to_staff_for_re_dispatch(world, login_as):
    case = replied(world)
    Client().post(link_of(case), {"satisfaction": "dissatisfied", "comment": "还是不亮"})
    services.case_feedback(case=case, note="已告知", actor=world.deputy_b_user)
    staff = login_as(world.district_staff)
    assert case in staff.get(reverse("cases:dispatch_queue")).context["page"].object_list
    assert "dispatch" in [t.action for t in staff.get(reverse("cases:detail", args=[case.pk])).context["moves"]]


def test_a_question_answered_on_the_spot_is_rated_from_the_feedback_sms(world):
    case = journey.register(world, spot_answer="已当场解释政策")
    assert not CaseRating.objects.exists()
    case = services.case_feedback(case=case, note="已当面告知", actor=world.liaison)
    assert SmsMessage.objects.filter(template="case_answer_rate").count() == 1
    Client().post(link_of(case), {"satisfaction": "basic"})
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.BASIC
    # The link is spent now; the tracking page shows the answer given at the reception.
    r = Client().post(reverse("public:track"), {"code": case.tracking_code, "mobile": MOBILE})
    assert "已当场解释政策" in r.content.decode()


def test_a_case_is_not_archived_before_the_resident_rated_or_was_followed_up_003(world, login_as):
    case = journey.feedback(world, replied(world), satisfaction=None)
    with pytest.raises(ValidationError) as exc:
        services.case_archive(case=case, actor=world.district_staff)
    assert exc.value.code == "not_rated"
    page = login_as(world.district_staff).get(reverse("cases:detail", args=[case.pk]))
    assert "archive" not in [t.action for t in page.context["moves"]]
    Client().post(link_of(case), {"satisfaction": "basic"})
    case = services.case_archive(case=case, actor=world.district_staff)
    assert case.status == Status.ARCHIVED and case.satisfaction == Satisfaction.BASIC


# ---------------------------------------------------------------- the follow-up 回访


def test_follow_up_waits_for_the_residents_link_to_expire(world):
    case = replied(world)
    with pytest.raises(ValidationError) as exc:
        case_follow_up(case=case, satisfaction="very", actor=world.liaison)
    assert exc.value.code == "too_early"


def test_follow_up_after_the_link_expired_records_the_satisfaction_and_who_called(world, login_as,
                                                                                  django_capture_on_commit_callbacks):
    case = journey.feedback(world, replied(world), satisfaction=None)
    with expire(case):
        liaison = login_as(world.liaison)
        page = liaison.get(reverse("cases:detail", args=[case.pk]))
        assert "follow_up" in [t.action for t in page.context["moves"]]
        with django_capture_on_commit_callbacks(execute=True):
            r = liaison.post(reverse("cases:follow_up", args=[case.pk]), {"satisfaction": "basic", "note": "电话回访"})
        assert r.status_code == 302
    case.refresh_from_db()
    assert case.satisfaction == Satisfaction.BASIC and case.satisfaction_source == SatisfactionSource.FOLLOW_UP
    rating = CaseRating.objects.get(case=case)
    assert rating.called_by == world.liaison and rating.caller == world.liaison.name
    event = case.events.get(action="follow_up")
    assert event.actor == world.liaison and world.liaison.name in event.comment
    assert item3_points(world.deputy_b) == 5  # basically satisfied, recorded by a non-owner
    # Nothing more to follow up.
    with expire(case):
        liaison = login_as(world.liaison)
        assert "follow_up" not in [t.action for t in liaison.get(reverse("cases:detail", args=[case.pk])).context["moves"]]
        with pytest.raises(ValidationError):
            case_follow_up(case=case, satisfaction="very", actor=world.district_staff)


def test_cases_whose_rating_link_expired_unrated_wait_in_the_staff_queue_for_a_follow_up(world, login_as):
    case = replied(world)
    rated = replied(world, title="已评价")
    journey.rate(rated, Satisfaction.VERY)
    url = reverse("cases:dispatch_queue")
    assert case not in login_as(world.district_staff).get(url).context["page"].object_list
    with expire(case):
        listed = login_as(world.district_staff).get(url).context["page"].object_list
        assert case in listed and rated not in listed
        assert case not in login_as(world.other_staff).get(url).context["page"].object_list


def test_follow_up_pages_refuse_the_owner_deputy_other_districts_and_other_roles(world, login_as):
    case = replied(world)
    url = reverse("cases:follow_up", args=[case.pk])
    with expire(case):
        for user, codes in [
            (world.deputy_b_user, (403,)),   # the owner
            (world.deputy_a_user, (403,)),   # the team leader: a deputy, not a caller
            (world.other_staff, (404,)),     # staff of another district: cannot even see the case
            (world.other_liaison, (404,)),   # liaison of another office
            (world.handler, (403,)),
            (world.outsider, (403, 404)),
        ]:
            assert login_as(user).post(url, {"satisfaction": "very"}).status_code in codes, user
        assert Client().get(url).status_code == 302  # anonymous: to the login page
        with pytest.raises(PermissionDenied):
            case_follow_up(case=case, satisfaction="very", actor=world.other_staff)
        # Staff of the case's district may.
        staff = login_as(world.district_staff)
        assert staff.get(url).status_code == 200
        assert staff.post(url, {"satisfaction": "very"}).status_code == 302
    case.refresh_from_db()
    assert case.satisfaction_source == SatisfactionSource.FOLLOW_UP


def test_follow_up_page_keeps_its_query_count_bounded(world, login_as, django_assert_max_num_queries):
    case = replied(world)
    with expire(case):
        client = login_as(world.liaison)
        with django_assert_max_num_queries(25):
            assert client.get(reverse("cases:follow_up", args=[case.pk])).status_code == 200


# ---------------------------------------------------------------- what the rates read


def test_unit_satisfaction_rate_counts_only_the_residents_rating_or_a_non_owner_follow_up_003(world):
    rated = replied(world)
    journey.rate(rated, Satisfaction.VERY)
    typed = replied(world, title="旧数据")
    # A satisfaction typed at the feedback step before residents rated (kept by the migration).
    Case.objects.filter(pk=typed.pk).update(satisfaction=Satisfaction.DISSATISFIED,
                                            satisfaction_source=SatisfactionSource.FEEDBACK)
    unit_figures_rebuild()  # as the migration that kept such rows rebuilds the units' figures
    followed = replied(world, title="回访件")
    with expire(followed):
        case_follow_up(case=followed, satisfaction=Satisfaction.BASIC, actor=world.district_staff)
    [review] = [r for r in as_reviews(unit_review_queryset(user=world.city_staff, year=timezone.localdate().year))
                if r.unit_id == world.unit_a.pk]
    assert (review.very, review.basic, review.dissatisfied) == (1, 1, 0)
    assert review.satisfaction_rate == 100.0


# ---------------------------------------------------------------- 4. tracking shows what the resident should see


def test_tracking_shows_the_units_reply_and_dates_never_the_deputys_feedback_note_003(world, django_assert_max_num_queries):
    case = replied(world)
    journey.rate(case, Satisfaction.BASIC)
    services.case_feedback(case=case, note="内部：已和住建局科长沟通", actor=world.deputy_b_user)
    with django_assert_max_num_queries(12):
        r = Client().post(reverse("public:track"), {"code": case.tracking_code, "mobile": MOBILE})
    html = r.content.decode()
    assert r.status_code == 200
    assert "已更换灯泡" in html and world.unit_a.name in html  # the unit's actual reply
    assert "内部：已和住建局科长沟通" not in html  # never the deputy's note
    assert "请核实" not in html and "李四" not in html and world.handler.name not in html
    assert timezone.localdate().strftime("%Y-%m-%d") in html
    result = r.context["result"]
    # One entry per public step: a rating does not repeat "replied".
    assert [s["status"] for s in result["steps"]] == [
        "registered", "assigned", "forwarded", "dispatched", "replied", "fed_back"
    ]
    assert result["rating"]["label"] == Satisfaction.BASIC.label


def test_tracking_hides_a_units_reply_until_every_unit_of_the_round_replied(world):
    case = journey.forward(world, journey.assign(world, journey.register(world)))
    case = journey.dispatch(world, case, units=[world.unit_a, world.unit_b], actor=world.city_staff)
    journey.reply(world, case)
    r = Client().post(reverse("public:track"), {"code": case.tracking_code, "mobile": MOBILE})
    assert "已更换灯泡" not in r.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_uses_of_one_rating_link_let_only_one_through(world, monkeypatch):
    import time

    from cases import resident_services
    from tests.base import run_at_once

    case = replied(world)
    token = rating_token(CaseRating.objects.get(case=case))
    original = resident_services._record_rating

    def slow_record(**kwargs):
        # Hold the case lock after the checks: without it both would pass "not yet rated".
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(resident_services, "_record_rating", slow_record)
    outcomes = run_at_once(lambda: case_rate(token=token, satisfaction="very"),
                           lambda: case_rate(token=token, satisfaction="dissatisfied"))
    results = sorted(o.code if isinstance(o, RatingLinkError) else "ok" if isinstance(o, Case) else repr(o)
                     for o in outcomes)
    assert results == ["ok", "used"]
    assert case.events.filter(action="rate").count() == 1


def test_the_residents_number_is_masked_in_their_case_sms_when_the_case_is_anonymized(world):
    from cases.privacy_services import resident_data_retention_run

    case = journey.through(world, journey.register(world), "archived")
    SmsMessage.objects.filter(resident_message__case=case).update(status=SmsMessage.Status.SENT)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=366 * 4), tick=False):
        assert resident_data_retention_run() == 1
    phones = set(SmsMessage.objects.filter(resident_message__case=case).values_list("phone", flat=True))
    assert phones == {"136****5678"}


def test_rating_page_fails_closed_when_the_rate_limiter_is_unreachable(world, monkeypatch):
    from cases import rating_views

    case = replied(world)

    def down(**kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(rating_views, "rate_hit", down)
    r = Client().post(link_of(case), {"satisfaction": "very"})
    assert r.status_code == 503 and "暂时无法使用" in r.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == ""
