"""A desk's figures on plain visits: the dashboard, the attendance alert against the weekday's norm, partner reports."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from services.intake.domain.desk import Visit, attendance_alerts, dashboard, network_dashboard, partner_report
from shared.platforms.loader import load_policy

DESK = load_policy(Path(__file__).resolve().parents[3] / "deploy" / "platforms" / "pimms-lyon.yaml")
TUESDAY = date(2026, 12, 1)


def visits_on(day: date, count: int, *, topic: str = "energy_bill", group: str = "partner_services",
              partner: str | None = "edf", hour: int = 10) -> list[Visit]:
    return [Visit("pimms-lyon", day, hour, topic, group, partner, ("informed",), 15) for _ in range(count)]


def usual_tuesdays(count: int = 10) -> list[Visit]:
    return [v for weeks in range(1, 5) for v in visits_on(TUESDAY - timedelta(weeks=weeks), count)]


def counts(visits: list[Visit]) -> dict[date, int]:
    per_day: dict[date, int] = {}
    for visit in visits:
        per_day[visit.day] = per_day.get(visit.day, 0) + 1
    return per_day


def test_a_day_far_below_its_weekdays_norm_raises_a_drop_in_french() -> None:
    assert DESK.desk is not None
    [alert] = attendance_alerts(DESK.desk, counts(usual_tuesdays() + visits_on(TUESDAY, 3)), [TUESDAY], TUESDAY + timedelta(days=1))
    assert (alert.kind, alert.visits, str(alert.norm)) == ("drop", 3, "10.0")
    assert alert.message == ("Mardi 01/12/2026 : 3 visite(s), bien moins que d'habitude (10,0 en moyenne les 4 mardis "
                             "précédents).")


def test_a_surge_a_usual_day_a_day_in_progress_and_a_small_norm() -> None:
    assert DESK.desk is not None
    rules = DESK.desk
    after = TUESDAY + timedelta(days=1)
    [surge] = attendance_alerts(rules, counts(usual_tuesdays() + visits_on(TUESDAY, 16)), [TUESDAY], after)
    assert surge.kind == "surge"
    assert attendance_alerts(rules, counts(usual_tuesdays() + visits_on(TUESDAY, 8)), [TUESDAY], after) == []
    assert attendance_alerts(rules, counts(usual_tuesdays()), [TUESDAY], TUESDAY) == []  # the day is not over
    assert attendance_alerts(rules, counts(usual_tuesdays(count=5)), [TUESDAY], after) == []  # norm under 8


def test_a_closed_day_is_not_judged_and_closed_weeks_do_not_lower_the_norm() -> None:
    assert DESK.desk is not None
    christmas = date(2026, 12, 25)  # a Friday, public holiday
    assert attendance_alerts(DESK.desk, {}, [christmas], date(2027, 1, 1)) == []
    fridays = [v for weeks in (1, 2, 3) for v in visits_on(date(2027, 1, 1) - timedelta(weeks=weeks), 12)]
    # 1 January is a holiday too; the Friday after: norm of the open Fridays only (11/12 and 18/12; 25/12 closed)
    [alert] = attendance_alerts(DESK.desk, counts(fridays), [date(2027, 1, 8)], date(2027, 1, 9))
    assert (alert.kind, str(alert.norm)) == ("drop", "12.0")


def test_the_dashboard_counts_per_day_week_group_topic_partner_and_hour() -> None:
    visits = (visits_on(TUESDAY, 3) + visits_on(TUESDAY, 2, topic="housing", group="public_services", partner=None,
                                                  hour=14)
              + visits_on(TUESDAY + timedelta(days=1), 1, topic="water_bill", partner="eau-du-grand-lyon", hour=9))
    board = dashboard(DESK, visits, TUESDAY, TUESDAY + timedelta(days=6), today=TUESDAY + timedelta(days=7))
    assert board["visits"] == 6 and board["average_minutes"] == "15,0"
    assert [(d["day"], d["visits"]) for d in board["per_day"][:3]] == [(TUESDAY, 5), (date(2026, 12, 2), 1),
                                                                       (date(2026, 12, 3), 0)]
    assert [(w["label"], w["visits"]) for w in board["per_week"]] == [("semaine du 30/11/2026", 6),
                                                                      ("semaine du 07/12/2026", 0)]
    assert [(g["label"], g["visits"], g["share"]) for g in board["by_group"]] == [
        ("Services des partenaires", 4, "66,7"), ("Accès aux services publics et lien social", 2, "33,3")]
    assert board["by_topic"][0] == {"topic": "energy_bill", "label": "Facture d'électricité", "visits": 3}
    assert [p["name"] for p in board["by_partner"]] == ["EDF", "Eau du Grand Lyon"]
    assert board["busiest_hours"][0] == {"hour": 10, "label": "10 h – 11 h", "visits": 3}
    assert board["by_action"] == [{"action": "informed", "label": "informé", "visits": 6}]


def test_the_partner_report_lists_only_that_partners_visits() -> None:
    visits = visits_on(TUESDAY, 2) + visits_on(TUESDAY, 1, topic="water_bill", partner="eau-du-grand-lyon")
    report = partner_report(DESK, "edf", "2026-12", visits)
    assert (report["partner_name"], report["visits"], len(report["lines"])) == ("EDF", 2, 2)
    assert report["lines"][0] == {"day": "01/12/2026", "topic": "Facture d'électricité", "actions": "informé",
                                  "minutes": 15, "oriented_to": "", "follow_up": "non"}


def test_the_network_adds_up_its_desks() -> None:
    other = DESK.model_copy(update={"platform_id": "pimms-vaulx", "name": "PIMMS Vaulx-en-Velin"})
    vaulx = Visit("pimms-vaulx", TUESDAY, 11, "housing", "public_services", None, ("oriented",), 30)
    visits = [*visits_on(TUESDAY, 2), vaulx]
    board = network_dashboard([DESK, other], visits)
    assert board["visits"] == 3
    assert [(d["name"], d["visits"]) for d in board["desks"]] == [("PIMMS Médiation Lyon 8e", 2),
                                                                  ("PIMMS Vaulx-en-Velin", 1)]
    assert [g["visits"] for g in board["by_group"]] == [2, 1]


def test_the_weeks_before_the_first_visit_are_no_history() -> None:
    assert DESK.desk is not None
    first_week = visits_on(TUESDAY - timedelta(weeks=1), 10)
    [alert] = attendance_alerts(DESK.desk, counts([*first_week, *visits_on(TUESDAY, 30)]), [TUESDAY],
                                TUESDAY + timedelta(days=1))
    assert (alert.kind, str(alert.norm)) == ("surge", "10.0")  # not 2.5: the three weeks before count for nothing
