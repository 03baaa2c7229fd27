"""How much identity proof a rights request needs: pure functions, no database.

Sources (reference, "Identity verification"): CCPA regulations 11 CCR §7060–7063, GDPR Art. 12(6)
("reasonable doubts"), PIPL Art. 49/50 and seed 000 §七.9 (written request or proof of identity).
Choices are marked ``Choice:`` so a lawyer can change them in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import deadlines as dl

SESSION_REAUTH = "session_reauth"
SMS_CODE = "sms_code"
EMAIL_LINK = "email_link"
DATA_POINTS = "data_points"
IDENTITY_DOCUMENT = "identity_document"
AUTHORITY_PROOF = "authority_proof"

SELF = "self"

# 11 CCR §7026(c) / §7027(e): a request to opt out of sale/sharing or to limit sensitive PI "need
# not be a verifiable consumer request"; the other state laws likewise need no authentication for an
# opt-out (us-states.md Table 1: US-OR §646A.576, V; US-MN, V). Choice: an enquiry/complaint asks
# for no personal data, so it needs no verification either.
_NO_VERIFICATION_TYPES = frozenset({dl.CCPA_OPT_OUT, dl.CCPA_LIMIT_SENSITIVE, dl.OPT_OUT, dl.COMPLAINT})

# Opt-outs of sale, sharing, targeted advertising or profiling and requests to limit sensitive PI:
# proof of identity may not even be asked for (11 CCR §7026(d), §7027(e); us-states.md Table 1:
# US-OR §646A.576 and US-MN refuse an opt-out only on a documented belief of fraud), and the
# parties the data was sold or shared to are told (§7026(f)).
OPT_OUT_TYPES = frozenset({dl.CCPA_OPT_OUT, dl.CCPA_LIMIT_SENSITIVE, dl.OPT_OUT})


def opt_out_only(request_types: Iterable[str]) -> bool:
    """Whether every type of the request is an opt-out or a request to limit sensitive PI."""
    types = set(request_types)
    return bool(types) and types <= OPT_OUT_TYPES


# Methods that prove control of the account or the person on their own: the existing authenticated
# session with re-authentication before disclosing, deleting or correcting (11 CCR §7061,
# accountholders) or an identity document (seed 000 §七.9).
_STRONG_METHODS = frozenset({SESSION_REAUTH, IDENTITY_DOCUMENT})
# Possession of the registered phone / mailbox counts as one matched data point (Choice).
_POSSESSION_METHODS = frozenset({SMS_CODE, EMAIL_LINK})


@dataclass(frozen=True)
class IdentityRequirement:
    needed: bool
    data_points: int = 0
    signed_declaration: bool = False
    authority_proof: bool = False
    exclude_fields: tuple[str, ...] = ()  # correction: verify with data other than the data corrected
    citation: str = ""


def identity_requirement(
    *,
    jurisdiction: str,
    request_types: Iterable[str],
    relationship: str = SELF,
    specific_pieces: bool = False,
    corrected_fields: Sequence[str] = (),
) -> IdentityRequirement:
    """The strictest requirement over every type in the request."""
    types = set(request_types)
    if not types or types <= _NO_VERIFICATION_TYPES:
        return IdentityRequirement(
            needed=False, citation="11 CCR §7026(c), §7027(e): no verification may be required"
        )
    authority = relationship != SELF  # 11 CCR §7063 (agents); PIPL Art. 49 (close relatives)
    exclude = tuple(corrected_fields) if dl.CORRECTION in types else ()
    if jurisdiction == dl.US_CA:
        if dl.ACCESS in types and specific_pieces:
            # §7062(c): specific pieces -> 3 data points + signed declaration under penalty of perjury.
            return IdentityRequirement(True, 3, True, authority, exclude, "11 CCR §7062(c)")
        # §7062(b) categories: 2 points; §7062(d) deletion: 2 or 3 by sensitivity (Choice: 2);
        # correction follows the same ladder, verified with other data than the data corrected
        # (reference, "Identity verification").
        return IdentityRequirement(True, 2, False, authority, exclude, "11 CCR §7062(b),(d)")
    # GDPR Art. 12(6) / PIPL / seed 000 §七.9: only what removes reasonable doubt. Choice: the CCPA
    # non-accountholder bar of 2 matched points, or a strong method, everywhere else.
    return IdentityRequirement(True, 2, False, authority, exclude, "GDPR Art. 12(6); seed 000 §七.9")


def identity_shortfalls(
    *,
    requirement: IdentityRequirement,
    method: str,
    data_points: Sequence[str] = (),
    signed_declaration: bool = False,
    authority_confirmed: bool = False,
) -> list[str]:
    """What is still missing for a positive decision; empty when the proof is sufficient.
    Messages are translated in the active language."""
    if not requirement.needed:
        return []
    missing: list[str] = []
    strong = method in _STRONG_METHODS
    authority_method = method == AUTHORITY_PROOF
    if requirement.authority_proof and not (authority_confirmed or authority_method):
        missing.append(_("Proof of the requester's authority to act for the data subject is missing."))
    # Choice: a documented authority proof (power of attorney, guardianship or death certificate
    # with proof of kinship) also establishes who the data subject is.
    if strong or (authority_method and requirement.authority_proof):
        return missing
    excluded = {p.strip().lower() for p in requirement.exclude_fields}
    points = {p.strip().lower() for p in data_points if p.strip()}
    usable = points - excluded
    if excluded & points:
        missing.append(
            _("Data points that are being corrected cannot verify the requester: %(fields)s.")
            % {"fields": ", ".join(sorted(excluded & points))}
        )
    count = len(usable) + (1 if method in _POSSESSION_METHODS else 0)
    if count < requirement.data_points:
        missing.append(
            ngettext(
                "%(needed)d matching data point is needed (%(rule)s); %(count)d given.",
                "%(needed)d matching data points are needed (%(rule)s); %(count)d given.",
                requirement.data_points,
            )
            % {"needed": requirement.data_points, "rule": requirement.citation, "count": count}
        )
    if requirement.signed_declaration and not signed_declaration:
        missing.append(
            _("A declaration signed under penalty of perjury is needed for specific pieces of information (%(rule)s).")
            % {"rule": requirement.citation}
        )
    return missing
