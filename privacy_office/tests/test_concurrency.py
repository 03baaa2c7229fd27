"""Two people editing the same record: the second save is refused, showing what changed."""

import pytest
from django.test import Client
from django.urls import reverse

from privacy_office.models import AuditReview

pytestmark = pytest.mark.django_db


def test_second_save_is_refused_and_shows_the_first_change(manager_user):
    from conftest import make_user

    other = make_user("manager2", "Privacy manager", first_name="Wang", last_name="Fang")
    review = AuditReview.objects.create(period_start="2026-11-01", period_end="2026-11-07", reviewed_by=manager_user, remark="draft")
    url = reverse("admin:privacy_office_auditreview_change", args=[review.pk])
    first, second = Client(), Client()
    first.force_login(manager_user)
    second.force_login(other)
    # Both open the page and see the same version.
    loaded = first.get(url).context["loaded_version"]
    assert second.get(url).context["loaded_version"] == loaded
    common = {"period_start": "2026-11-01", "period_end": "2026-11-07", "scope": "", "_loaded_version": loaded, "_save": "Save"}
    assert first.post(url, {**common, "remark": "first person's remark"}).status_code == 302
    response = second.post(url, {**common, "remark": "second person's remark"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record after you opened it" in page
    assert "first person&#x27;s remark" in page or "first person's remark" in page
    assert "manager" in page  # who changed it
    review.refresh_from_db()
    assert review.remark == "first person's remark"
    # The second person's input is still on the form, and a deliberate resubmit applies it.
    assert "second person&#x27;s remark" in page or "second person's remark" in page
    again = second.post(url, {**common, "_loaded_version": response.context["loaded_version"], "remark": "second person's remark"})
    assert again.status_code == 302
    review.refresh_from_db()
    assert review.remark == "second person's remark"
