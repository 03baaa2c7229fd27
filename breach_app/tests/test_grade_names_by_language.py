"""The CN incident grade in a draft is named in the draft's language: 较大 in a Chinese report,
"relatively major" in an English one (Incident Reporting Measures Art. 4 and the grading guide)."""

import pytest

from breach_app import services
from privacy_office.scripts_check import han_lines

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("people", "english", "chinese"), [
    (1_000_001, "relatively major", "较大"),     # 1,000,001 >= 1,000,000: 较大
    (10_000_000, "major", "重大"),               # 10,000,000 >= 10,000,000: 重大
    (100_000_000, "particularly major", "特别重大"),
    (999_999, "below the grade “relatively major”", "低于较大级别"),
])
def test_the_cac_report_names_the_grade_in_its_own_language(staff_user, people, english, chinese):
    incident = make_incident(by=staff_user, populations={"CN": {"people_min": people}})
    report = codes(incident)["CN-CAC-INCIDENT"]
    en = services.notice_draft_generate(obligation=report, by=staff_user, language="en").body
    zh = services.notice_draft_generate(obligation=report, by=staff_user, language="zh-hans").body
    assert f"{english} (personal information of" in en
    assert han_lines(en, allowed=("深圳绿米联创科技有限公司",)) == []
    assert f"{chinese}（涉及" in zh
