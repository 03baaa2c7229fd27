"""Processor-side duties (eu-uk-product.md §4; legal-rules.md 2026-11 "processor" row): where
Aqara's business platforms process installers', shops' and hotels' data, it tells each affected
controller - GDPR/UK GDPR Art. 33(2) and PDPA s.26C(3)(a) without undue delay, Cal. Civ. Code
§1798.82(b) immediately following discovery, PIPL Art. 21 entrusted party (Choice: immediately).
Where Aqara acted only as processor the controller notifies, so Aqara's own controller duties are
not required - except the CAC incident report, which binds it as the platform's operator."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from breach_app.deadlines import Affected, IncidentFacts, notification_obligations

UTC = timezone.utc
AWARE = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # Mon


def by_code(jurisdictions, **kw):
    kw.setdefault("discovered_at", AWARE)
    incident = IncidentFacts(affected={j: Affected(20, 20) for j in jurisdictions}, **kw)
    return {o.code: o for o in notification_obligations(incident)}


def test_processor_only_tells_the_controller_and_leaves_the_regulator_to_it():
    ob = by_code(["EU"], aware_at=AWARE, risk="high", aqara_role="processor",
                 controllers=("Hotel Lisboa", "Installer Berlin GmbH"))
    ctrl = ob["EU-CTRL"]
    assert (ctrl.status, ctrl.recipient, ctrl.deadline_kind) == ("required", "controller", "without_undue_delay")
    assert ctrl.citation.startswith("GDPR Art. 33(2)")
    assert "Hotel Lisboa, Installer Berlin GmbH" in ctrl.reason
    assert "24 h" in ctrl.reason and not ctrl.unverified
    assert ob["EU-SA"].status == "not_required"
    assert "Aqara acted only as processor" in ob["EU-SA"].reason


def test_both_roles_keep_the_controller_duties_and_add_the_processor_duty():
    ob = by_code(["UK"], aware_at=AWARE, risk="high", aqara_role="both", controllers=("Hotel",))
    assert ob["UK-ICO"].status == "required"
    assert ob["UK-ICO"].deadline == datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # Mon 17:00 + 72 h
    assert ob["UK-CTRL"].citation.startswith("UK GDPR Art. 33(2)")


def test_controller_role_has_no_processor_duty():
    assert "EU-CTRL" not in by_code(["EU"], risk="high")


def test_california_immediately_following_discovery():
    ctrl = by_code(["US-CA"], aqara_role="processor", controllers=("Shop",))["US-CA-CTRL"]
    assert (ctrl.deadline_kind, ctrl.deadline, ctrl.clock_start) == ("immediately", None, AWARE)
    assert "§1798.82(b)" in ctrl.citation and not ctrl.unverified


def test_china_entrusted_party_keeps_the_operator_report():
    ob = by_code(["CN"], aqara_role="processor", controllers=("智装大狮 customer",),
                 direct_economic_loss_cny=6_000_000)
    assert ob["CN-CAC-INCIDENT"].status == "required"  # network operator duty, any role
    assert ob["CN-CAC-PIPL"].status == "not_required"
    ctrl = ob["CN-CTRL"]
    assert (ctrl.deadline_kind, ctrl.unverified) == ("immediately", True)
    assert "PIPL Arts 21, 57" in ctrl.citation and "unverified" in ctrl.reason


def test_singapore_data_intermediary_without_undue_delay():
    ctrl = by_code(["SG"], aqara_role="processor", controllers=("Hotel",))["SG-CTRL"]
    assert (ctrl.deadline_kind, ctrl.unverified) == ("without_undue_delay", False)
    assert ctrl.citation == "PDPA s.26C(3)(a)"


def test_georgia_and_oregon_vendor_clocks():
    ob = by_code(["US-GA", "US-OR"], aqara_role="processor", controllers=("Shop",))
    # GA: vendor tells the owner within 24 h: Mon 17:00 UTC + 24 h
    assert ob["US-GA-CTRL"].deadline == datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    # OR: within 10 days: Mon 2 Mar (10:00 MST in Boise) + 10 = Thu 12 Mar, end of day MDT (-6)
    assert ob["US-OR-CTRL"].deadline == datetime(2026, 3, 13, 5, 59, 59, 999999, tzinfo=UTC)
    assert ob["US-OR-CTRL"].deadline.astimezone(ZoneInfo("America/Boise")).day == 12
    assert not ob["US-GA-CTRL"].unverified


def test_states_without_a_read_vendor_rule_are_flagged_unverified():
    ctrl = by_code(["US-TX"], aqara_role="processor", controllers=("Shop",))["US-TX-CTRL"]
    assert (ctrl.deadline_kind, ctrl.unverified) == ("immediately", True)


def test_unnamed_controllers_need_a_decision():
    ctrl = by_code(["EU"], aqara_role="processor")["EU-CTRL"]
    assert ctrl.status == "needs_decision"
    assert "record the controllers" in ctrl.reason


def test_unknown_role_is_refused():
    import pytest

    with pytest.raises(ValueError, match="aqara_role"):
        IncidentFacts(discovered_at=AWARE, aqara_role="agent")
