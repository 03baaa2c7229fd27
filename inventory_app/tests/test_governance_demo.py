"""The demo holds an outdated impact assessment (and a current one) and the dashboard shows it."""

import io

import pytest
from django.urls import reverse

from inventory_app import demo
from inventory_app.models import ImpactAssessment

pytestmark = pytest.mark.django_db


def test_demo_has_an_outdated_assessment_on_the_dashboard(staff_user, manager_user, manager_client):
    demo.load_demo(stdout=io.StringIO())
    demo.load_demo(stdout=io.StringIO())  # idempotent
    assert ImpactAssessment.objects.count() == 2
    outdated = ImpactAssessment.objects.outdated().get()
    assert outdated.title == demo.OUTDATED_TITLE
    assert [d["item"] for d in outdated.outdated_diff] == ["retention"]
    assert ImpactAssessment.objects.current().get().title == demo.CURRENT_TITLE
    home = manager_client.get(reverse("admin:index")).content.decode()
    assert "impact assessments outdated: reassessment due" in home
    assert "?status__exact=outdated" in home
    # A transfer that crosses a threshold: 120,000 people this year, no standard contract in force.
    from django.utils import timezone

    from inventory_app import crossborder
    from inventory_app.governance_rules import Mechanism

    uncovered = crossborder.handlers_uncovered(as_of=timezone.localdate())
    assert [p.decision.mechanism for p in uncovered] == [Mechanism.SCC_OR_CERTIFICATION]
    assert "handlers exporting without the required mechanism" in home


def test_demo_has_an_audit_with_an_overdue_remediation_item(staff_user, manager_user, manager_client):
    from django.utils import timezone

    from inventory_app.models import RemediationItem

    demo.load_demo(stdout=io.StringIO())
    demo.load_demo(stdout=io.StringIO())
    overdue = RemediationItem.objects.overdue(timezone.localdate())
    assert overdue.count() == 1 and overdue.get().owner == staff_user
    home = manager_client.get(reverse("admin:index")).content.decode()
    assert "audit remediation items overdue" in home
