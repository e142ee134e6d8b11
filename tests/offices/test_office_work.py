"""Five-good evaluations, training and budgets in the admin (SPEC §5)."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from offices.models import Budget, Expense, OfficeEvaluation, TrainingAttendance, TrainingCourse

pytestmark = pytest.mark.django_db

SCORES = {"construction": 18, "rules": 17, "management": 16, "role": 19, "residents": 20}


def evaluation(office, year=2026, **extra):
    return OfficeEvaluation.objects.create(office=office, year=year, outcome="commended", **{**SCORES, **extra})


def test_five_good_evaluation_totals_the_five_standards_once_a_year_000_16(world):
    ev = evaluation(world.office_a1)
    assert ev.total == 90
    assert ev.district_id == world.district_a.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        evaluation(world.office_a1)


def test_five_good_standard_above_twenty_is_refused_in_the_admin_004_16(world, client):
    client.force_login(world.city_staff)
    data = {"office": world.office_a1.pk, "year": 2026, "outcome": "correct", **SCORES, "role": 25}
    response = client.post("/admin/offices/officeevaluation/add/", data)
    assert response.status_code == 200
    assert "20" in response.content.decode()
    assert not OfficeEvaluation.objects.exists()


def test_admin_records_who_evaluated(world, client):
    client.force_login(world.district_staff)
    data = {"office": world.office_a1.pk, "year": 2026, "outcome": "criticized", "notes": "", **SCORES}
    response = client.post("/admin/offices/officeevaluation/add/", data)
    assert response.status_code == 302
    assert OfficeEvaluation.objects.get().evaluated_by == world.district_staff


def test_district_staff_neither_see_nor_pick_another_districts_offices_evaluations(world, client):
    mine, theirs = evaluation(world.office_a1), evaluation(world.office_b1)
    client.force_login(world.district_staff)
    page = client.get("/admin/offices/officeevaluation/").content.decode()
    assert f"/admin/offices/officeevaluation/{mine.pk}/change/" in page
    assert f"/admin/offices/officeevaluation/{theirs.pk}/change/" not in page
    assert client.get(f"/admin/offices/officeevaluation/{theirs.pk}/change/").status_code == 302
    data = {"office": world.office_b1.pk, "year": 2027, "outcome": "correct", **SCORES}
    response = client.post("/admin/offices/officeevaluation/add/", data)
    assert response.status_code == 200 and not OfficeEvaluation.objects.filter(year=2027).exists()


def course(world, term="第七届", centralized=True):
    return TrainingCourse.objects.create(
        title="党代表履职能力培训班",
        organizer=world.city,
        term=term,
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2026, 4, 3),
        is_centralized=centralized,
    )


def test_deputies_without_centralized_training_this_term_are_listed_000_18(world, client):
    TrainingAttendance.objects.create(course=course(world), deputy=world.deputy_a)
    # A course of another term, or one that is not centralized, does not count.
    TrainingAttendance.objects.create(course=course(world, term="第六届"), deputy=world.deputy_b)
    TrainingAttendance.objects.create(course=course(world, centralized=False), deputy=world.deputy_b)
    client.force_login(world.city_staff)
    untrained = client.get("/admin/offices/deputy/", {"trained": "no"}).context["cl"].result_list
    trained = client.get("/admin/offices/deputy/", {"trained": "yes"}).context["cl"].result_list
    assert set(untrained) == {world.deputy_b, world.deputy_c}
    assert set(trained) == {world.deputy_a}


def test_training_list_counts_attendees_without_a_query_per_course(world, client, django_assert_max_num_queries):
    for _ in range(15):
        TrainingAttendance.objects.create(course=course(world), deputy=world.deputy_a)
    client.force_login(world.city_staff)
    with django_assert_max_num_queries(15):
        response = client.get("/admin/offices/trainingcourse/")
    assert response.status_code == 200


def budget_form(budget_owner, expenses):
    data = {
        "year": 2026,
        "amount": "800.00",
        "carried_over": "100.00",
        "notes": "",
        "expenses-TOTAL_FORMS": str(len(expenses)),
        "expenses-INITIAL_FORMS": "0",
        "expenses-MIN_NUM_FORMS": "0",
        "expenses-MAX_NUM_FORMS": "1000",
        **budget_owner,
    }
    for i, (amount, purpose) in enumerate(expenses):
        data.update({f"expenses-{i}-date": "2026-05-01", f"expenses-{i}-amount": amount, f"expenses-{i}-purpose": purpose})
    return data


def test_expenses_cannot_exceed_the_funds_available_001(world, client):
    client.force_login(world.city_staff)
    owner = {"deputy": world.deputy_a.pk}
    response = client.post("/admin/offices/budget/add/", budget_form(owner, [("500", "调研"), ("401", "走访")]))
    assert response.status_code == 200
    assert "900" in response.content.decode()
    assert not Budget.objects.exists() and not Expense.objects.exists()
    response = client.post("/admin/offices/budget/add/", budget_form(owner, [("500", "调研"), ("400", "走访")]))
    assert response.status_code == 302
    budget = Budget.objects.get()
    assert budget.expenses.count() == 2 and budget.district_id == world.district_a.pk
    page = client.get("/admin/offices/budget/").content.decode()
    assert '<td class="field-spent">900.00</td>' in page
    assert '<td class="field-remaining">0.00</td>' in page


def test_a_budget_belongs_to_a_deputy_or_a_team_not_both_001(world, client):
    client.force_login(world.city_staff)
    both = {"deputy": world.deputy_a.pk, "team": world.team_a1.pk}
    response = client.post("/admin/offices/budget/add/", budget_form(both, []))
    assert response.status_code == 200 and not Budget.objects.exists()
    response = client.post("/admin/offices/budget/add/", budget_form({"team": world.team_a1.pk}, []))
    assert response.status_code == 302
    assert Budget.objects.get().amount == Decimal("800.00")


@pytest.mark.parametrize("persona", ["liaison", "deputy_a_user", "handler", "outsider"])
def test_office_work_admin_is_refused_to_other_roles(world, client, persona):
    client.force_login(getattr(world, persona))
    for model in ("officeevaluation", "trainingcourse", "budget"):
        response = client.get(f"/admin/offices/{model}/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
