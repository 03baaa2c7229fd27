"""The EU/EEA supervisory authorities and the one-stop shop (GDPR Arts 4(16), 56, 60; EDPB
Guidelines 9/2022 para. 73): pure functions, no database."""

import pytest

from privacy_office import eu_authorities
from privacy_office.eu_authorities import breach_authorities


def names(authorities):
    return [a.name_en for a in authorities]


def test_every_eea_state_has_one_authority_named_in_english_and_chinese():
    assert len(eu_authorities.COUNTRIES) == 30  # 27 EU Member States + Iceland, Liechtenstein, Norway
    assert "GR" in eu_authorities.COUNTRIES and "EL" not in eu_authorities.COUNTRIES
    for authority in eu_authorities.AUTHORITIES.values():
        assert authority.name_en and authority.name_zh and authority.country_zh
    assert eu_authorities.get("fr").name(chinese=True) == "法国国家信息与自由委员会"


def test_without_a_main_establishment_each_concerned_authority_is_notified():
    # No establishment in the Union (a representative does not make one lead): every Member State
    # where affected people live, in the order recorded, once each.
    result = breach_authorities(main_establishment="", affected_states=["fr", "NL", "FR", "IE"])
    assert result.lead is None
    assert names(result.addressees) == [
        "Commission nationale de l'informatique et des libertés (CNIL)",
        "Dutch Data Protection Authority (Autoriteit Persoonsgegevens)",
        "Data Protection Commission (Ireland)",
    ]


def test_with_a_main_establishment_its_authority_leads_and_the_others_are_concerned():
    result = breach_authorities(main_establishment="IE", affected_states=["FR", "IE", "NL"])
    assert names(result.addressees) == ["Data Protection Commission (Ireland)"]
    assert result.lead.country == "IE"
    assert [a.country for a in result.concerned] == ["FR", "NL"]
    # The lead leads even when no affected person lives in its Member State (Art. 56(1)).
    assert breach_authorities(main_establishment="IE", affected_states=["DE"]).lead.country == "IE"


def test_an_unknown_state_code_is_refused():
    with pytest.raises(KeyError, match="not an EU/EEA Member State code"):
        breach_authorities(main_establishment="", affected_states=["UK"])
