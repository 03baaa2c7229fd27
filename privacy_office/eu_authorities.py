"""The EU/EEA data protection supervisory authorities, and which of them a breach report goes to.

Pure Python (no Django), like ``jurisdictions.py``: one row per Member State of the EEA (the GDPR
applies in Iceland, Liechtenstein and Norway through the EEA Agreement), with the authority's name in
English and in Chinese. ``breach_authorities`` applies the one-stop-shop rules; the breach clocks
themselves stay in ``breach_app/deadlines.py``.

Which authority receives a GDPR Art. 33 notification
----------------------------------------------------
* A controller with its main establishment in the Union (Art. 4(16)) whose processing is
  cross-border (Art. 4(23)) notifies its LEAD supervisory authority, the authority of the main
  establishment (Art. 56(1)); the lead cooperates with the other authorities concerned (Art. 60).
* A controller with no establishment in the Union has no lead authority: "the mere presence of a
  representative in a Member State does not trigger the one-stop-shop system", so the breach is
  notified to the authority of every Member State where affected people reside (EDPB Guidelines
  9/2022 on personal data breach notification, v2.0, para. 73; GDPR Art. 55(1)).
* Choice (the stricter duty, legal-rules.md 2026-11): with a main establishment but affected people
  in other Member States too, the lead authority is named and the others are listed as concerned
  authorities (Art. 4(22)(b)), so the report can copy them; only the lead is the addressee.

Germany: private-sector controllers are supervised by the authority of the Land (BDSG §40), so the
row names the Land authority generically; the officer adds which one in the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Authority:
    country: str  # ISO 3166-1 alpha-2 (Greece GR)
    country_en: str
    country_zh: str
    name_en: str
    name_zh: str

    def name(self, *, chinese: bool) -> str:
        return self.name_zh if chinese else self.name_en

    def country_name(self, *, chinese: bool) -> str:
        return self.country_zh if chinese else self.country_en


_ROWS = (
    Authority("AT", "Austria", "奥地利", "Austrian Data Protection Authority (Datenschutzbehörde)", "奥地利数据保护局"),
    Authority("BE", "Belgium", "比利时", "Belgian Data Protection Authority (APD/GBA)", "比利时数据保护局"),
    Authority("BG", "Bulgaria", "保加利亚", "Commission for Personal Data Protection (Bulgaria)", "保加利亚个人数据保护委员会"),
    Authority("HR", "Croatia", "克罗地亚", "Croatian Personal Data Protection Agency (AZOP)", "克罗地亚个人数据保护局"),
    Authority("CY", "Cyprus", "塞浦路斯", "Commissioner for Personal Data Protection (Cyprus)", "塞浦路斯个人数据保护专员"),
    Authority("CZ", "Czechia", "捷克", "Office for Personal Data Protection (ÚOOÚ, Czechia)", "捷克个人数据保护办公室"),
    Authority("DK", "Denmark", "丹麦", "Danish Data Protection Agency (Datatilsynet)", "丹麦数据保护局"),
    Authority("EE", "Estonia", "爱沙尼亚", "Estonian Data Protection Inspectorate (AKI)", "爱沙尼亚数据保护监察局"),
    Authority("FI", "Finland", "芬兰", "Office of the Data Protection Ombudsman (Finland)", "芬兰数据保护监察员办公室"),
    Authority("FR", "France", "法国", "Commission nationale de l'informatique et des libertés (CNIL)",
              "法国国家信息与自由委员会"),
    Authority("DE", "Germany", "德国", "the data protection supervisory authority of the competent German Land (BDSG §40)",
              "德国主管州的数据保护监管机构（《联邦数据保护法》第40条）"),
    Authority("GR", "Greece", "希腊", "Hellenic Data Protection Authority", "希腊数据保护局"),
    Authority("HU", "Hungary", "匈牙利", "National Authority for Data Protection and Freedom of Information (NAIH)",
              "匈牙利国家数据保护与信息自由局"),
    Authority("IE", "Ireland", "爱尔兰", "Data Protection Commission (Ireland)", "爱尔兰数据保护委员会"),
    Authority("IT", "Italy", "意大利", "Garante per la protezione dei dati personali", "意大利个人数据保护局"),
    Authority("LV", "Latvia", "拉脱维亚", "Data State Inspectorate (Latvia)", "拉脱维亚国家数据监察局"),
    Authority("LT", "Lithuania", "立陶宛", "State Data Protection Inspectorate (Lithuania)", "立陶宛国家数据保护监察局"),
    Authority("LU", "Luxembourg", "卢森堡", "Commission nationale pour la protection des données (CNPD, Luxembourg)",
              "卢森堡国家数据保护委员会"),
    Authority("MT", "Malta", "马耳他", "Information and Data Protection Commissioner (Malta)", "马耳他信息与数据保护专员"),
    Authority("NL", "Netherlands", "荷兰", "Dutch Data Protection Authority (Autoriteit Persoonsgegevens)", "荷兰数据保护局"),
    Authority("PL", "Poland", "波兰", "President of the Personal Data Protection Office (UODO, Poland)",
              "波兰个人数据保护办公室主席"),
    Authority("PT", "Portugal", "葡萄牙", "National Data Protection Commission (CNPD, Portugal)", "葡萄牙国家数据保护委员会"),
    Authority("RO", "Romania", "罗马尼亚", "National Supervisory Authority for Personal Data Processing (ANSPDCP)",
              "罗马尼亚国家个人数据处理监督局"),
    Authority("SK", "Slovakia", "斯洛伐克", "Office for Personal Data Protection of the Slovak Republic", "斯洛伐克个人数据保护办公室"),
    Authority("SI", "Slovenia", "斯洛文尼亚", "Information Commissioner (Slovenia)", "斯洛文尼亚信息专员"),
    Authority("ES", "Spain", "西班牙", "Spanish Data Protection Agency (AEPD)", "西班牙数据保护局"),
    Authority("SE", "Sweden", "瑞典", "Swedish Authority for Privacy Protection (IMY)", "瑞典隐私保护局"),
    # EEA (GDPR incorporated into the EEA Agreement, Joint Committee Decision 154/2018).
    Authority("IS", "Iceland", "冰岛", "Icelandic Data Protection Authority (Persónuvernd)", "冰岛数据保护局"),
    Authority("LI", "Liechtenstein", "列支敦士登", "Data Protection Authority of Liechtenstein (Datenschutzstelle)",
              "列支敦士登数据保护局"),
    Authority("NO", "Norway", "挪威", "Norwegian Data Protection Authority (Datatilsynet)", "挪威数据保护局"),
)

AUTHORITIES = MappingProxyType({row.country: row for row in _ROWS})
COUNTRIES = tuple(AUTHORITIES)
# The three EEA states outside the Union: the GDPR applies there, EU-only law (the CRA) does not.
EEA_NOT_EU = ("IS", "LI", "NO")
EU_COUNTRIES = tuple(code for code in COUNTRIES if code not in EEA_NOT_EU)


def get(country: str) -> Authority:
    try:
        return AUTHORITIES[country.upper()]
    except KeyError:
        raise KeyError(f"not an EU/EEA Member State code: {country!r}") from None


@dataclass(frozen=True)
class BreachAuthorities:
    """Who receives the Art. 33 notification: a lead authority, or each concerned authority."""

    lead: Authority | None
    concerned: tuple[Authority, ...]

    @property
    def addressees(self) -> tuple[Authority, ...]:
        """The authorities the notification is addressed to."""
        return (self.lead,) if self.lead is not None else self.concerned


def breach_authorities(*, main_establishment: str, affected_states) -> BreachAuthorities:
    """The authorities of a GDPR Art. 33 notification (see the module's rules).

    ``main_establishment``: the Member State of the controller's main establishment in the Union, or
    "" for none; ``affected_states``: the Member States where affected people reside, in any order
    (codes are upper-cased and de-duplicated; the result lists them in the order given)."""
    states = tuple(dict.fromkeys(code.upper() for code in affected_states if code))
    if main_establishment:
        lead = get(main_establishment)
        # Art. 4(22)(a)-(b): concerned are the lead's and those of the Member States whose residents
        # are substantially affected; listed beside the lead, never instead of it.
        return BreachAuthorities(lead=lead, concerned=tuple(get(c) for c in states if c != lead.country))
    return BreachAuthorities(lead=None, concerned=tuple(get(c) for c in states))
