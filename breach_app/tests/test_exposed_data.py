"""Breach notices say what was actually exposed: the fields staff decided, never every field of a
service; sensitivity follows from that choice; a change after drafting puts the drafts out of date."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from breach_app import notices, services
from breach_app.models import NoticeDraft

from .factories import make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory():
    from inventory_app.models import ActivityField, Controller, DataField, ProcessingActivity, Service

    controller = Controller.objects.create(code="lumi", name_zh="绿米")
    service = Service.objects.create(code="app", name_zh="Aqara 应用", name_en="Aqara app", controller=controller)
    booking = ProcessingActivity.objects.create(code="booking", name_zh="预约服务", name_en="Booking services",
                                                controller=controller, pipl_basis="contract")
    other = ProcessingActivity.objects.create(code="payments", name_zh="支付", name_en="Payments",
                                              controller=controller, pipl_basis="contract")
    other.services.add(service)
    fields = {
        "name": DataField.objects.create(code="name", name_zh="姓名", name_en="name", category="identifier"),
        "phone": DataField.objects.create(code="phone", name_zh="手机号码", name_en="mobile phone number",
                                          category="contact"),
        "address": DataField.objects.create(code="address", name_zh="详细地址信息", name_en="detailed address",
                                            category="contact"),
        "plan": DataField.objects.create(code="plan", name_zh="客户户型图", name_en="customer floor plan",
                                         category="project"),
        "bank": DataField.objects.create(code="bank", name_zh="银行账户", name_en="bank account",
                                         category="financial", sensitive=True),
    }
    for code in ("name", "phone", "address", "plan"):
        ActivityField.objects.create(activity=booking, field=fields[code])
    # The bank account is held by another activity of the same service: offered, never included unasked.
    ActivityField.objects.create(activity=other, field=fields["bank"])
    ActivityField.objects.create(activity=booking, field=fields["phone"], group_zh="联系方式")
    return {"booking": booking, "service": service, **fields}


def test_only_the_chosen_fields_are_listed_grouped_once_each(staff_user, inventory):
    inv = inventory
    incident = make_incident(by=staff_user, activities=[inv["booking"]], services=[inv["service"]],
                             exposed_fields=[inv["name"], inv["phone"], inv["address"], inv["plan"]],
                             populations={"EU": {"people_min": 500}})
    # Every field of the service is offered to choose from …
    assert set(services.exposure_candidates(incident)) == {inv[k] for k in ("name", "phone", "address", "plan",
                                                                             "bank")}
    # … but the drafts say exactly what staff chose (phone listed once though used twice), grouped.
    assert notices.exposed_data_text(incident, "en") == (
        "contact details: detailed address, mobile phone number; identifier: name; "
        "project and premises: customer floor plan; other data: Name, Phone number, Home address")
    assert notices.exposed_data_text(incident, "zh-hans") == (
        "联系信息：详细地址信息、手机号码；身份标识：姓名；项目与场所：客户户型图；其他数据：电话号码、住址")
    report = notices.render_draft(incident.obligations.get(code="EU-SA"), "en").body
    assert "Categories of personal data: contact details: detailed address, mobile phone number;" in report
    assert "bank account" not in report
    assert "Sensitive (special-category) data involved: No" in report


def test_sensitive_follows_from_the_selection_and_moves_the_clocks(staff_user, inventory):
    inv = inventory
    incident = make_incident(by=staff_user, activities=[inv["booking"]], services=[inv["service"]],
                             exposed_fields=[inv["name"]], populations={"KR": {"people_min": 10}})
    assert notices.exposed_sensitive(incident) is False
    # KR PIPA Decree Art. 40: under 1,000 people the PIPC report is required only for sensitive data.
    assert incident.obligations.get(code="KR-PIPC").applicability != "required"
    services.incident_update(incident=incident, by=staff_user, exposed_fields=[inv["name"], inv["bank"]])
    assert notices.exposed_sensitive(incident) is True
    assert incident.obligations.get(code="KR-PIPC").applicability == "required"
    assert "银行账户（敏感）" in notices.exposed_data_text(incident, "zh-hans")


def test_a_field_outside_the_activities_cannot_be_chosen(staff_user, inventory):
    inv = inventory
    incident = make_incident(by=staff_user, activities=[inv["booking"]], populations={"KR": {"people_min": 10}})
    with pytest.raises(ValidationError) as refused:
        services.incident_update(incident=incident, by=staff_user, exposed_fields=[inv["bank"]])
    assert refused.value.code == "not_a_candidate"
    assert not incident.exposed_fields.exists()


def test_changing_the_selection_puts_drafts_out_of_date_until_regenerated(staff_user, manager_user, inventory):
    inv = inventory
    incident = make_incident(by=staff_user, activities=[inv["booking"]], exposed_fields=[inv["name"]],
                             populations={"EU": {"people_min": 500}})
    services.incident_generate_drafts(incident=incident, by=staff_user)
    report = NoticeDraft.objects.get(obligation__code="EU-SA", language="en")
    services.notice_draft_approve(draft=report, by=manager_user)
    services.incident_update(incident=incident, by=staff_user, exposed_fields=[inv["name"], inv["plan"]])

    report.refresh_from_db()
    assert report.outdated and not report.is_approved  # the approval named a list no longer decided
    assert report.obligation.status == "drafted"
    with pytest.raises(ValidationError) as refused:
        services.notice_draft_approve(draft=report, by=manager_user)
    assert refused.value.code == "outdated"

    services.notice_draft_generate(obligation=report.obligation, by=staff_user, language="en")
    report.refresh_from_db()
    assert not report.outdated and "customer floor plan" in report.body
    services.notice_draft_approve(draft=report, by=manager_user)
    assert NoticeDraft.objects.get(pk=report.pk).is_approved


def test_the_incident_page_shows_the_choice_and_the_out_of_date_drafts(admin_client, staff_user, inventory):
    inv = inventory
    incident = make_incident(by=staff_user, activities=[inv["booking"]], exposed_fields=[inv["name"]],
                             populations={"EU": {"people_min": 500}})
    services.incident_generate_drafts(incident=incident, by=staff_user)
    services.incident_update(incident=incident, by=staff_user, exposed_fields=[inv["plan"]])
    page = admin_client.get(f"/admin/breach_app/incident/{incident.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "客户户型图 / customer floor plan" in html and 'name="exposed_data"' in html
    assert "out of date: the exposed data changed" in html


def test_a_category_written_in_one_language_only_is_flagged_in_the_other(staff_user):
    incident = make_incident(by=staff_user, full=False, populations={"EU": {"people_min": 500}},
                             narratives={"en": {"extra_data_categories": "Support ticket text\nOrder number"},
                                         "zh-hans": {"extra_data_categories": "客服工单文本"}})
    assert notices.exposed_data_text(incident, "en") == "other data: Support ticket text, Order number"
    chinese = notices.exposed_data_text(incident, "zh-hans")
    assert chinese == "其他数据：客服工单文本、【缺少：以本语言填写的补充数据类别】"
    assert "Order number" not in chinese
