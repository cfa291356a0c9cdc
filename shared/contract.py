"""What LivePerson fixes and every part of the project must agree on: names, addresses and
defaults from LivePerson's side of consumer authentication (see docs/going-live.md). Each is
written here once; the backend, the stand-in, the web client, the app and the checker import it.
"""

from __future__ import annotations

# The page's authentication method LivePerson calls, unless the brand names another in the console.
JS_METHOD = "lpGetAuthenticationToken"
# The pop-out window's page, on LivePerson's CDN and on the stand-in alike.
POPOUT_WINDOW_PATH = "/le_unified_window/index.html"
# The redirect URI LivePerson sends when none is configured.
DEFAULT_REDIRECT_URI = "https://liveperson.net"
# Every redirect URI LivePerson has been seen to send: a brand registers them all, compared exactly.
REDIRECT_URIS = (
    DEFAULT_REDIRECT_URI,
    "https://liveperson.net/",
    "https://liveperson.net/oauth2/code_redirect",
    "https://lpcdn.lpsnmedia.net" + POPOUT_WINDOW_PATH,
)
# LivePerson's Web SDK tag, loaded with `?site=ACCOUNT` on a brand's pages.
TAG_URL = "https://lptag.liveperson.net/tag/tag.js"
# The account the local stand-in serves unless told another (`--account`).
STANDIN_ACCOUNT = "12345678"
# The versions of LivePerson's OAuth connector ("Consumer Authentication — Configuration"):
# "oauth2", RFC-compliant, every connector's since May 2018, and the legacy "openid", which puts
# the pop-out window's parameters in redirect_uri and sends the token endpoint another one.
RFC_CONNECTOR = "oauth2"
LEGACY_CONNECTOR = "openid"
CONNECTORS = (RFC_CONNECTOR, LEGACY_CONNECTOR)
# Consumer Delegation: where the brand sends the customer back from a verification link
# ("Consumer Delegation: Configuration": `https://{domain}/callback/{account_id}/redirectCode`,
# the IdP's domain). A brand registers it, on the stand-in's origin, as a redirect URI.
DELEGATION_CALLBACK_PATH = "/callback/{account}/redirectCode"
# The scope an app installation needs to read delegated tokens ("Consumer Delegation: Get Tokens API").
DELEGATED_TOKEN_SCOPE = "delegated.token.read.external"  # noqa: S105 (a scope)
