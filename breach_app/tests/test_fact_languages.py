"""Each narrative fact in each language it is sent in: a draft takes its paragraphs only from its
own language, shows the facts missing there, and cannot be approved until they are written."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from breach_app import notices, services
from breach_app.models import IncidentNarrative, NoticeDraft
from privacy_office.scripts_check import english_fragments, han_lines, latin_only_lines

from .factories import make_incident

pytestmark = pytest.mark.django_db

# Names and codes that are the same in every language: the company, products, laws' own citations.
ALLOWED = ("Aqara", "Aqara Home", "Lumi United", "privacy@lumiunited.com", "GDPR", "PIPL", "SaaS", "IP", "API",
           "Brightline Smart Homes GmbH (Aqara+ installer, Munich)", "CVSS", "CVE", "mDNS", "LAN",
           "Civ. Code", "Cal.", "UTC", "Equifax", "Experian", "TransUnion", "Federal Trade Commission",
           "Notice of Data Breach", "What Happened", "What Information Was Involved", "What We Are Doing",
           "What You Can Do", "For More Information")
CHINESE_NAMES = ("深圳绿米联创科技有限公司", "较大")


def test_english_facts_only_leave_the_chinese_draft_flagged_not_filled(staff_user, manager_user):
    incident = make_incident(by=staff_user, full=False, populations={"EU": {"people_min": 500}},
                             description="A bucket was public.", contact_point="privacy@lumiunited.com",
                             likely_consequences="Phishing.", measures_taken="Closed.")
    assert list(incident.narratives.values_list("language", flat=True)) == ["en"]
    report = incident.obligations.get(code="EU-SA")
    english = notices.render_draft(report, "en").body
    chinese = notices.render_draft(report, "zh-hans").body
    assert "A bucket was public." in english
    assert "A bucket was public." not in chinese and "Phishing." not in chinese
    assert "【缺少：事件经过】" in chinese or "【缺少：" in chinese
    services.incident_generate_drafts(incident=incident, by=staff_user)
    draft = NoticeDraft.objects.get(obligation=report, language="zh-hans")
    with pytest.raises(ValidationError) as refused:
        services.notice_draft_approve(draft=draft, by=manager_user)
    assert refused.value.code == "missing_facts"


def test_a_third_language_is_added_by_the_officer_and_kept_apart(staff_user):
    incident = make_incident(by=staff_user, populations={"EU": {"people_min": 500}})
    services.incident_update(incident=incident, by=staff_user,
                             narratives={"de": {"description": "Ein Speicher war öffentlich lesbar."}})
    assert sorted(incident.narratives.values_list("language", flat=True)) == ["de", "en", "zh-hans"]
    assert "Ein Speicher" not in notices.render_draft(incident.obligations.get(code="EU-SA"), "en").body
    german = IncidentNarrative.objects.get(incident=incident, language="de")
    assert german.history.count() == 1 and german.version == 1
    assert any("narrative:de" in (e.params or {}).get("fields", []) for e in incident.timeline.all())


def test_the_migration_files_single_texts_under_their_script():
    from privacy_office.scripts_check import detect_language

    assert detect_language("客服工单泄露") == "zh-hans"
    assert detect_language("Tickets leaked via Aqara 网关") == "zh-hans"
    assert detect_language("Tickets leaked") == "en"


def test_the_demo_drafts_are_each_in_one_language_and_list_the_selection(staff_user, manager_user):
    from breach_app.demo import MAIN_EXPOSED, MAIN_TITLE, load_demo
    from breach_app.models import Incident
    from inventory_app.demo import load_demo as load_inventory
    from inventory_app.models import DataField

    load_inventory(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())
    incident = Incident.objects.get(title=MAIN_TITLE)
    assert set(incident.exposed_fields.values_list("field__code", flat=True)) == set(MAIN_EXPOSED)
    chosen = DataField.objects.filter(code__in=MAIN_EXPOSED)
    drafts = list(NoticeDraft.objects.filter(obligation__incident=incident).select_related("obligation"))
    assert len(drafts) >= 20
    for draft in drafts:
        text = draft.text
        where = f"{draft.obligation.code} {draft.language}"
        assert "seed" not in text.lower(), where
        assert draft.obligation.code not in text, where  # no rule codes in a letter
        assert "≤" not in text, where
        if draft.language == "en":
            assert han_lines(text, allowed=CHINESE_NAMES) == [], where
            names = [f.name_en for f in chosen]
        else:
            assert latin_only_lines(text, allowed=ALLOWED) == [], where
            assert english_fragments(text, allowed=ALLOWED) == [], where
            names = [f.name_zh for f in chosen]
        if "data_categories" in draft.obligation.required_content:
            listed = notices.exposed_data_text(incident, draft.language)
            assert listed in text, where
            assert all(name in listed for name in names), where
            # Nothing else from the inventory: no password, SMS code or bank account slips in.
            others = DataField.objects.exclude(code__in=MAIN_EXPOSED).exclude(name_en="").values_list(
                "name_en" if draft.language == "en" else "name_zh", flat=True)
            items = {item.strip() for part in listed.replace("；", ";").split(";")
                     for item in part.split(":" if draft.language == "en" else "：", 1)[-1].replace("、", ",").split(",")}
            assert not items & (set(others) - set(names)), where
