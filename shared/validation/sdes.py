"""From id_token claims to LivePerson engagement attributes: the standard claims, and the
`lp_sdes` claim, a JSON *array* of SDE objects (customer info `ctmrinfo`, personal info `personal`)."""

from __future__ import annotations

from typing import Any

from shared.validation.errors import BAD_SDES, ValidationFailure

# The SDE types an id_token may carry, and the member holding each one's attributes.
AUTHENTICATED_SDES = {"ctmrinfo": "info", "personal": "personal"}


def engagement_attributes(claims: dict[str, Any]) -> dict[str, Any]:
    """`{"customerInfo": {...}, "personalInfo": {...}}` as LivePerson's agent sees them."""
    customer: dict[str, Any] = {"customerId": claims.get("sub")}
    personal: dict[str, Any] = {}
    contact: dict[str, Any] = {}
    for claim, target, name in (
        ("preferred_username", customer, "userName"),
        ("given_name", personal, "firstname"),
        ("family_name", personal, "lastname"),
        ("gender", personal, "gender"),
        ("email", contact, "email"),
        ("phone_number", contact, "phone"),
    ):
        if claims.get(claim) is not None:
            target[name] = claims[claim]
    if contact:
        personal["contacts"] = [contact]

    for sde in sdes_of(claims):
        (customer if sde["type"] == "ctmrinfo" else personal).update(sde[AUTHENTICATED_SDES[sde["type"]]])
    return {"customerInfo": customer, "personalInfo": personal}


def sdes_of(claims: dict[str, Any]) -> list[dict[str, Any]]:
    """The id_token's SDEs: none when `lp_sdes` is absent; present, it must be an array LivePerson
    uses, so a null is refused too (an empty claim is left out, not sent as null)."""
    if "lp_sdes" not in claims:
        return []
    return parse_sdes(claims["lp_sdes"])


def found(claims: dict[str, Any]) -> str:
    """What a passed `lp-sdes` check says it found: the one wording of the stand-in's inspector
    and of liveperson-check. Refuses what `sdes_of` refuses."""
    if "lp_sdes" not in claims:
        return "lp_sdes: absent."
    listed = sdes_of(claims)
    kinds = f" ({', '.join(sde['type'] for sde in listed)})" if listed else ""
    return f"lp_sdes: an array of {len(listed)} SDE{'' if len(listed) == 1 else 's'}{kinds}."


def lp_sdes_problem(sdes: Any) -> str | None:
    """Why `sdes` is not an `lp_sdes` claim LivePerson uses, or None. The one statement of the
    rule: the backend checks a customer's SDEs with it before it stores them."""
    if isinstance(sdes, dict):
        return ("lp_sdes is a JSON object; LivePerson expects an array of SDE objects "
                '([{"type": "ctmrinfo", "info": {...}}]) and ignores anything else.')
    if not isinstance(sdes, list):
        return f"lp_sdes must be an array of SDE objects, not {type(sdes).__name__}."
    for index, sde in enumerate(sdes):
        kind = sde.get("type") if isinstance(sde, dict) else None
        if kind not in AUTHENTICATED_SDES:
            return f"lp_sdes[{index}] has type {kind!r}; an id_token carries ctmrinfo and personal SDEs only."
        member = AUTHENTICATED_SDES[kind]
        if not isinstance(sde.get(member), dict):
            return f"lp_sdes[{index}] ({kind}) must hold its attributes in an object {member!r}."
    return None


def parse_sdes(sdes: Any) -> list[dict[str, Any]]:
    problem = lp_sdes_problem(sdes)
    if problem is not None:
        raise ValidationFailure("lp-sdes", BAD_SDES, problem)
    return sdes
