"""How much proof each request needs, and the check service applying it."""

import pytest
from django.core.exceptions import ValidationError

from requests_app import identity_checks
from requests_app.identity import identity_requirement, identity_shortfalls
from requests_app.models import IdentityCheck

from .factories import at, make_case


def test_ccpa_categories_need_two_points():
    req = identity_requirement(jurisdiction="US-CA", request_types=["access"])
    assert (req.needed, req.data_points, req.signed_declaration) == (True, 2, False)
    assert identity_shortfalls(requirement=req, method="data_points", data_points=["email", "zip"]) == []
    assert identity_shortfalls(requirement=req, method="data_points", data_points=["email"]) == [
        "2 matching data points are needed (11 CCR §7062(b),(d)); 1 given."
    ]


def test_ccpa_specific_pieces_need_three_points_and_a_signed_declaration():
    req = identity_requirement(jurisdiction="US-CA", request_types=["access"], specific_pieces=True)
    assert (req.data_points, req.signed_declaration) == (3, True)
    missing = identity_shortfalls(requirement=req, method="data_points", data_points=["email", "zip"])
    assert len(missing) == 2
    assert "3 matching data points are needed" in missing[0]
    assert "signed under penalty of perjury" in missing[1]
    assert identity_shortfalls(
        requirement=req, method="data_points", data_points=["email", "zip", "order"], signed_declaration=True
    ) == []


def test_opt_out_needs_no_verification():
    req = identity_requirement(jurisdiction="US-CA", request_types=["ccpa_opt_out"])
    assert req.needed is False
    assert identity_shortfalls(requirement=req, method="") == []


def test_correction_is_verified_with_other_data_than_the_data_corrected():
    req = identity_requirement(jurisdiction="EU", request_types=["correction"], corrected_fields=["phone"])
    missing = identity_shortfalls(requirement=req, method="data_points", data_points=["phone", "email"])
    assert any("being corrected" in m for m in missing)
    assert any("2 matching data points are needed" in m for m in missing)


def test_agent_needs_authority_proof():
    req = identity_requirement(jurisdiction="CN", request_types=["access"], relationship="agent")
    assert identity_shortfalls(requirement=req, method="session_reauth") == [
        "Proof of the requester's authority to act for the data subject is missing."
    ]
    assert identity_shortfalls(requirement=req, method="authority_proof") == []


def test_strong_methods_suffice_for_an_accountholder():
    req = identity_requirement(jurisdiction="US-CA", request_types=["deletion"])
    assert identity_shortfalls(requirement=req, method="session_reauth") == []
    # An SMS code to the registered phone counts as one point: one more is needed.
    assert identity_shortfalls(requirement=req, method="sms_code", data_points=["zip"]) == []
    assert identity_shortfalls(requirement=req, method="sms_code") != []


@pytest.mark.django_db
def test_check_service_refuses_insufficient_proof_with_what_is_missing(staff_user):
    case = make_case(jurisdiction="US-CA", received_at=at(2026, 3, 2, 18), now=at(2026, 3, 2, 19))
    with pytest.raises(ValidationError) as excinfo:
        identity_checks.dsar_record_identity_check(
            case=case, by=staff_user, method="data_points", data_points=["email", "zip"], specific_pieces=True,
            now=at(2026, 3, 3),
        )
    assert excinfo.value.messages[0] == "The identity proof is not sufficient for this request:"
    assert "3 matching data points are needed" in excinfo.value.messages[1]
    case.refresh_from_db()
    assert case.verified_on is None
    check = identity_checks.dsar_record_identity_check(
        case=case, by=staff_user, method="data_points", data_points=["email", "zip", "order 123"],
        signed_declaration=True, specific_pieces=True, now=at(2026, 3, 3),
    )
    assert check.outcome == IdentityCheck.Outcome.VERIFIED
    assert check.decided_by == staff_user


@pytest.mark.django_db
def test_a_failed_check_is_recorded_without_verifying(staff_user):
    case = make_case()
    check = identity_checks.dsar_record_identity_check(case=case, by=staff_user, method="data_points", data_points=[],
                                                verified=False, now=at(2026, 3, 3))
    assert check.outcome == IdentityCheck.Outcome.FAILED
    case.refresh_from_db()
    assert case.verified_on is None
