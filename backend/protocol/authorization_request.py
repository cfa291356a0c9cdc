"""The authorization request: RFC 6749 §4.1.1 and OpenID Connect Core 1.0 §3.1.2.1 / §3.2.2.1.

Validation happens in the order the RFC's error rules need (§4.1.2.1): first what decides
whether redirecting is safe (client and exact redirect URI, `redirection.py`), then everything
else, whose errors go back to the client's redirect URI with `state`.

The scope is the identity scopes (`claims.py`) and, for a code, the brand's API scopes the
client is registered for (`delegation.py`); other values are ignored.

A client registered for LivePerson's legacy openID connector (`redirection.py`) may add the
pop-out window's query to a registered URI, and its `response_type=token` is that connector's
implicit flow: it is answered as `id_token` is, with the id_token in the fragment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from backend.protocol import delegation, pkce, redirection
from backend.protocol.claims import granted_scope
from backend.protocol.errors import OAuthError, UnsafeRedirect, single_values
from backend.protocol.storage import ClientStore, RegisteredClient

RESPONSE_TYPES = ("code", "id_token")
# LivePerson's legacy connector asks for `token` where the RFC connector asks for `id_token`.
LEGACY_IMPLICIT = "token"
RESPONSE_MODES = ("query", "fragment")
# OAuth 2.0 Multiple Response Type Encoding Practices §2.1: the default mode per response type.
DEFAULT_MODE = {"code": "query", "id_token": "fragment"}
PROMPTS = ("none", "login", "consent", "select_account")
MAX_NONCE_LENGTH = 512
MAX_AGE_CAP = 10**10  # seconds, over 300 years


@dataclass(frozen=True)
class AuthorizationRequest:
    client: RegisteredClient
    redirect_uri: str
    response_type: str
    response_mode: str
    scopes: list[str]
    state: str | None
    nonce: str | None = None
    prompt: frozenset[str] = field(default_factory=frozenset)
    max_age: int | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None

    def respond(self, **params: str) -> str:
        """The redirect carrying the response, with `state` unchanged."""
        return response_url(self.redirect_uri, self.response_mode, params, self.state)

    def error(self, error: str, description: str) -> AuthorizationError:
        """§4.1.2.1: an error for the client, to raise; it is sent to the redirect URI."""
        return AuthorizationError(error, description, self.respond(
            error=error, error_description=description
        ))


class AuthorizationError(OAuthError):
    """An error that is sent back to the (verified) redirect URI."""

    def __init__(self, error: str, description: str, redirect_to: str) -> None:
        super().__init__(error, description)
        self.redirect_to = redirect_to


def response_url(redirect_uri: str, mode: str, params: dict[str, str], state: str | None) -> str:
    """§4.1.2 / §4.2.2: parameters in the query (keeping any query the URI has) or fragment."""
    if state is not None:
        params = {**params, "state": state}
    encoded = urlencode(params)
    if mode == "fragment":
        return f"{redirect_uri}#{encoded}"
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{encoded}"


def parse(store: ClientStore, params: Any) -> AuthorizationRequest:
    """Validate an authorization request; `params` is the request's MultiDict (query or form).

    Raises UnsafeRedirect when the user must see an error page, AuthorizationError otherwise.
    Unknown parameters (LivePerson's `parentWindowOrigin`, for one) are ignored (§3.1).
    """
    for name in ("client_id", "redirect_uri"):
        if len(params.getlist(name)) > 1:
            raise UnsafeRedirect(f"The parameter '{name}' is repeated.")
    client_id = params.get("client_id")
    redirect_uri = params.get("redirect_uri")
    if not client_id:
        raise UnsafeRedirect("The request has no client_id.")
    client = store.find_client(client_id)
    if client is None:
        raise UnsafeRedirect(f"No client is registered as {client_id!r}.")
    if not redirect_uri:
        raise UnsafeRedirect("The request has no redirect_uri.")
    unsafe = redirection.authorization_problem(client, client_id, redirect_uri)
    if unsafe is not None:
        raise UnsafeRedirect(unsafe)

    # From here on, errors are redirected; work out how before anything else can fail.
    response_type = params.get("response_type") or None
    if response_type == LEGACY_IMPLICIT and redirection.is_legacy(client):
        # The legacy connector's implicit flow; what it reads back is the id_token.
        response_type = "id_token"
    requested_mode = params.get("response_mode") or None
    default_mode = DEFAULT_MODE.get(response_type or "", "query")
    mode = requested_mode if requested_mode in RESPONSE_MODES else default_mode
    # Multiple Response Type Encoding Practices §2.1: a fragment-default response (id_token) is
    # never put in the query, where server logs and Referer headers would keep it.
    id_token_in_query = default_mode == "fragment" and mode == "query"
    if id_token_in_query:
        mode = "fragment"
    state = params.get("state") if len(params.getlist("state")) == 1 else None

    def fail(error: str, description: str) -> AuthorizationError:
        return AuthorizationError(error, description, response_url(
            redirect_uri, mode, {"error": error, "error_description": description}, state
        ))

    try:
        values = single_values(params)
    except OAuthError as error:
        raise fail(error.error, error.description) from None
    # OpenID Connect Core §6: request objects are optional; refusing them beats ignoring them,
    # since the parameters inside one would silently not apply.
    if "request" in values:
        raise fail("request_not_supported", "Request objects are not supported: send the "
                   "parameters in the query or the form.")
    if "request_uri" in values:
        raise fail("request_uri_not_supported", "request_uri is not supported: send the "
                   "parameters in the query or the form.")
    if requested_mode is not None and requested_mode not in RESPONSE_MODES:
        raise fail("invalid_request", "response_mode must be query or fragment.")
    if response_type is None:
        raise fail("invalid_request", "The parameter 'response_type' is required.")
    if response_type not in RESPONSE_TYPES:
        raise fail("unsupported_response_type", "Supported response types: code, id_token.")
    if id_token_in_query:
        raise fail("invalid_request", "An id_token is never sent in the query: "
                   "use response_mode=fragment.")
    scopes = granted_scope(values.get("scope", ""))
    if "openid" not in scopes:
        raise fail("invalid_scope", "The scope must include 'openid'.")
    if response_type == "code":
        # Only a code leads to an access token, so only a code carries the brand's API scopes.
        scopes += delegation.registered(client, values["scope"])

    prompt = frozenset(values.get("prompt", "").split())
    if not prompt <= set(PROMPTS):
        raise fail("invalid_request", f"prompt accepts {', '.join(PROMPTS)}.")
    if "none" in prompt and len(prompt) > 1:
        raise fail("invalid_request", "prompt=none cannot be combined with other values.")
    max_age = None
    if "max_age" in values:
        # ASCII only: str.isdigit() also accepts digits such as "²" that int() refuses.
        raw = values["max_age"].lstrip("0") or "0"
        if not (raw.isascii() and raw.isdigit()):
            raise fail("invalid_request", "max_age must be a non-negative integer of seconds.")
        # Longer than any login lasts means no limit; the cap keeps the date arithmetic in range.
        max_age = int(raw) if len(raw) <= len(str(MAX_AGE_CAP)) else MAX_AGE_CAP
        max_age = min(max_age, MAX_AGE_CAP)
    nonce = values.get("nonce")
    if nonce is not None and len(nonce) > MAX_NONCE_LENGTH:
        raise fail("invalid_request", f"nonce is longer than {MAX_NONCE_LENGTH} characters.")

    challenge = values.get("code_challenge")
    method = None
    if response_type == "code":
        if challenge is not None:
            try:
                method = pkce.check_challenge(
                    challenge, values.get("code_challenge_method"), client.allow_plain_pkce
                )
            except OAuthError as error:
                raise fail(error.error, error.description) from None
        elif client.pkce_required:
            raise fail("invalid_request", "This client must send a PKCE code_challenge (S256).")
    else:
        challenge = None

    return AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        response_type=response_type,
        response_mode=mode,
        scopes=scopes,
        state=state,
        nonce=nonce,
        prompt=prompt,
        max_age=max_age,
        code_challenge=challenge,
        code_challenge_method=method,
    )
