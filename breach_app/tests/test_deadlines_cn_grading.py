"""China incident grading: the CAC 4-hour report is due when ANY criterion reaches
较大, "needs decision" while a criterion is unassessed, and "not required" only when every criterion
has been assessed below 较大 (legal-rules.md 2026-11; governance-cn.md §6B-6C).

Thresholds for 较大: personal information of ≥ 1,000,000 people, direct economic loss ≥ ¥5,000,000
("以上" includes the number); 重大 ≥ ¥20,000,000; 特别重大 ≥ ¥100,000,000."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from breach_app.deadlines import Affected, IncidentFacts, notification_obligations

UTC = timezone.utc
DISCOVERED = datetime(2026, 6, 5, 9, 15, tzinfo=ZoneInfo("Asia/Shanghai"))  # Fri, = 01:15 UTC
ALL_BELOW = dict(direct_economic_loss_cny=0, system_outage_at_grade=False,
                 important_data_at_grade=False, social_impact_at_grade=False)


def cac(people, **kw):
    incident = IncidentFacts(discovered_at=DISCOVERED, affected={"CN": Affected(people, people)}, **kw)
    return {o.code: o for o in notification_obligations(incident)}["CN-CAC-INCIDENT"]


def test_below_a_million_with_nothing_else_assessed_needs_a_decision():
    report = cac(999_999)
    assert report.status == "needs_decision"
    assert "direct economic loss: not assessed" in report.reason
    assert "social impact at 较大 or above: not assessed" in report.reason
    # the 4 hours still run from discovery: 01:15 UTC + 4 h
    assert report.deadline == datetime(2026, 6, 5, 5, 15, tzinfo=UTC)


def test_not_required_only_when_every_criterion_is_assessed_below():
    report = cac(999_999, **{**ALL_BELOW, "direct_economic_loss_cny": 4_999_999})
    assert report.status == "not_required"
    assert "below 较大 on every criterion" in report.reason


@pytest.mark.parametrize("unassessed", ["system_outage_at_grade", "important_data_at_grade",
                                        "social_impact_at_grade", "direct_economic_loss_cny"])
def test_any_single_unassessed_criterion_keeps_it_open(unassessed):
    assert cac(10, **{**ALL_BELOW, unassessed: None}).status == "needs_decision"


@pytest.mark.parametrize(("loss", "grade"), [(5_000_000, "较大"), (19_999_999, "较大"),
                                             (20_000_000, "重大"), (100_000_000, "特别重大")])
def test_direct_economic_loss_alone_reaches_the_grade(loss, grade):
    report = cac(10, direct_economic_loss_cny=loss)  # other criteria unassessed: one is enough
    assert report.status == "required"
    assert report.reason.endswith(f"graded {grade}")


@pytest.mark.parametrize("criterion", ["system_outage_at_grade", "important_data_at_grade",
                                       "social_impact_at_grade"])
def test_a_qualitative_criterion_assessed_at_grade_requires_the_report(criterion):
    report = cac(10, **{**ALL_BELOW, criterion: True})
    assert report.status == "required"
    assert report.reason.endswith("graded 较大")


def test_the_highest_grade_of_any_criterion_is_named():
    # 10,000,000 people = 重大; loss ¥5,000,000 = 较大 -> 重大
    assert cac(10_000_000, direct_economic_loss_cny=5_000_000).reason.endswith("graded 重大")


def test_final_summary_follows_the_grade():
    incident = IncidentFacts(discovered_at=DISCOVERED, affected={"CN": Affected(10, 10)},
                             system_outage_at_grade=True)
    final = {o.code: o for o in notification_obligations(incident)}["CN-CAC-FINAL"]
    assert (final.status, final.deadline_kind) == ("required", "pending_trigger")


def test_negative_loss_is_refused():
    with pytest.raises(ValueError, match="direct_economic_loss_cny"):
        IncidentFacts(discovered_at=DISCOVERED, direct_economic_loss_cny=-1)
