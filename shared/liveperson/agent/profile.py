"""What LivePerson shows its agent of a consumer.

For an authenticated consumer, the id_token claims LivePerson maps (LivePerson, "Authentication —
Detailed API", section "OpenID Token structure"):

    sub                        → Consumer info, Customer ID      `customerId`
    preferred_username         → Consumer info, User name        `userName`
    given_name / family_name   → Personal info, name             `firstname` / `lastname`
    gender                     → Personal info, gender           `gender`
    email                      → Personal info, email            `email`
    phone_number               → Personal info, phone            `phone`

Every other claim is not shown. The engagement attributes are the `lp_sdes` array as the brand
sent it (`Consumer.sdes`); they are not merged into the identity here, so a `ctmrinfo`
`customerId` cannot hide the `sub`. The claim-to-SDE rule itself lives in
shared/validation/sdes.py; this module only flattens its result for the agent's panel.

Plain Python: no Flask.
"""

from __future__ import annotations

import json
from typing import Any

from shared.liveperson.store.models import Consumer
from shared.validation.sdes import engagement_attributes

# The identity fields, in the order the workspace lists them; `issuer` is the stand-in's
# addition, so a developer with two brands configured can tell their customers apart.
FIELDS = ("customerId", "issuer", "userName", "firstname", "lastname", "gender", "email", "phone")


def consumer_profile(consumer: Consumer) -> dict[str, Any]:
    """`{"consumerId", "customerId", "issuer", ...mapped fields present}`.

    `consumerId` is LivePerson's own id of the consumer (its participant id in the conversation).
    An unauthenticated consumer has no brand identity: `customerId` and `issuer` are null and no
    other field is present.
    """
    profile: dict[str, Any] = {"consumerId": consumer.id, "customerId": None, "issuer": None}
    if not consumer.authenticated:
        return profile
    # lp_sdes is left out: it is shown as it came, and engagement_attributes would merge it in.
    claims = {name: value for name, value in (consumer.claims or {}).items() if name != "lp_sdes"}
    attributes = engagement_attributes({**claims, "sub": consumer.brand_sub})
    customer, personal = attributes["customerInfo"], attributes["personalInfo"]
    contact = (personal.get("contacts") or [{}])[0]
    profile["customerId"] = consumer.brand_sub
    profile["issuer"] = consumer.brand_iss
    for name, value in (
        ("userName", customer.get("userName")),
        ("firstname", personal.get("firstname")),
        ("lastname", personal.get("lastname")),
        ("gender", personal.get("gender")),
        ("email", contact.get("email")),
        ("phone", contact.get("phone")),
    ):
        if value is not None:
            profile[name] = _shown(value)
    return profile


def _shown(value: Any) -> str:
    """A claim as text: a brand may send a number or an object where a string is meant."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
