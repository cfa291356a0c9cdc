/*
 * The popped-out chat window (/le_unified_window/index.html on the stand-in's origin).
 *
 * It holds the same visitor's conversation as the embedded window it was popped out of, which it
 * asks through popout-link.js (window.opener, origins checked both ways):
 *   - a guest: the tag hands over the guest's LivePerson token, and the guest's conversation goes
 *     on here too. "Log in" then logs the visitor in by redirect (below) and steps that
 *     conversation up, with its history; the tag and the brand's page are told (LOGGED_IN).
 *   - a customer: the window logs them in by redirect; the brand knows them, so straight back.
 *   - no answer (no opener, or no open chat on it): LivePerson's own behaviour, the redirect.
 * It then goes on following the tag: a login on the brand's site logs this window in too; a logout
 * there makes it a guest, in a new conversation, as in the embedded window (lptag.js says why).
 *
 * A popped-out window cannot call the brand page's JavaScript, so it authenticates by redirect,
 * with the request LivePerson sends:
 *   1. Build the request to the brand's authorization endpoint (response_type, client_id,
 *      scope=openid, redirect_uri = this page, a several-KB JSON `state`, parentWindowOrigin, and
 *      with PKCE code_challenge + S256), remember it, and go there.
 *   2. Back with `code` or `id_token` (query or fragment) and `state`: clear the address bar, accept
 *      the response only if `state` is exactly the one sent, hand the code or token to LivePerson's
 *      IdP (authenticate, channel "popout"; with the guest's token, step-up), and show who was
 *      authenticated, or why not.
 *   LivePerson's legacy "openID" connector (the stand-in's --rfc-compliance openid) differs: the
 *   window's configuration travels as a query of redirect_uri instead of in `state`, the token
 *   request gets the configured redirect_uri (https://liveperson.net by default) rather than the
 *   window's, and the implicit flow asks for response_type=token. The window then accepts a
 *   response only if its own configuration, nonce included, came back in the query unchanged.
 *   3. With the consumer token, the conversation over LivePerson's WebSocket (messaging.js, shown by
 *      chat-view.js). When a customer's token expires (close code 4401) the window goes through
 *      step 1 again, the unsent text kept; the conversation goes on after the redirect.
 * The window has no lpTag: it fires no lpUnifiedWindow events, as LivePerson's pop-out does not.
 */
(function () {
  "use strict";

  const { randomUrlSafe, s256 } = lpStandInCrypto; // static/pkce.js
  const messaging = lpStandInMessaging; // static/messaging.js
  const { showVisitor } = lpStandInChatView; // static/chat-view.js
  const link = lpStandInPopoutLink; // static/popout-link.js

  // sessionStorage is per tab and per origin: it survives the round trip through the brand's login
  // pages, and no other tab or origin can read or plant what this window keeps there.
  const PENDING_KEY = "lpsi.popout.request";
  const PARENT_KEY = "lpsi.popout.parentWindowOrigin";
  const DRAFT_KEY = "lpsi.popout.draft"; // the text box's content, across a login redirect
  const GUEST_KEY = "lpsi.popout.guestToken"; // the guest chatting here, stepped up at the login
  const FOLLOWED_KEY = "lpsi.popout.followed"; // the `since` of the tag's visitor last followed
  const RESPONSE_PARAMS = ["code", "id_token", "token", "error", "state"];
  const LEGACY_CONFIG = "lpUnifiedWindowConfig"; // the legacy connector's query of redirect_uri
  const OPENER_WAIT_MS = 3000; // the tag answers at once; silence means LivePerson's default, the redirect

  const chat = document.querySelector(".lpsi-window");
  const status = document.querySelector('[data-testid="chat-status"]');
  const detail = document.querySelector('[data-testid="chat-detail"]');
  const login = document.querySelector('[data-testid="chat-login"]');
  const retry = document.querySelector('[data-testid="chat-retry"]');
  for (const button of [login, retry]) button.addEventListener("click", () => sendRequest());

  let current = null; // {customerId, token}: whom this window chats as; customerId null for a guest
  let session = null; // one messaging session, connected as `current`
  let view = null;
  let busy = false; // leaving for the brand, or redeeming its answer: the tag's news waits
  let openerTimer = null; // pending while the window waits for the tag's first answer

  // ---------------------------------------------------------------------------------------
  // Following the embedded window (popout-link.js)

  function parentOrigin() {
    return sessionStorage.getItem(PARENT_KEY) || "";
  }

  function canAskOpener() {
    return Boolean(window.opener && parentOrigin());
  }

  function followed() {
    return Number(sessionStorage.getItem(FOLLOWED_KEY)) || 0;
  }

  // The tag's visitor, if newer than this window's: each of the tag's visitors is followed once,
  // and a visitor this window logged in itself is newer than the tag's guest it came from.
  async function followTag(data) {
    if (busy || data.pending) return; // pending: the tag is signing in, and will say who
    if (data.none) {
      if (openerTimer) {
        clearTimeout(openerTimer);
        openerTimer = null;
        sendRequest();
      }
      return;
    }
    const since = Number(data.since) || 0;
    if (since <= followed()) return;
    sessionStorage.setItem(FOLLOWED_KEY, String(since));
    clearTimeout(openerTimer);
    openerTimer = null;
    if (typeof data.guestToken === "string") await chatAsGuest(data.guestToken);
    else if (typeof data.customerId === "string" && (!current || current.customerId !== data.customerId)) {
      sendRequest(); // logged in on the brand's site: the brand knows them, so straight back
    }
  }

  // The tag's guest. A customer here becomes that guest only after a logout on the brand's site
  // (a newer visitor); the authenticated conversation leaves this window, as it leaves the tag's.
  async function chatAsGuest(token) {
    const consumer = messaging.readToken(token).consumerId;
    if (current && current.customerId === null && messaging.readToken(current.token).consumerId === consumer) {
      return; // the same guest, whose token this window may have extended itself
    }
    let config;
    try {
      config = await standInConfig();
    } catch (error) {
      return fail(error.message);
    }
    sessionStorage.setItem(GUEST_KEY, token);
    current = { customerId: null, token };
    showGuest();
    converse(config.account, token);
  }

  function showGuest() {
    showVisitor(status, null);
    login.hidden = false;
    retry.hidden = true;
  }

  function waitForOpener() {
    setStatus("pending", "Connecting…");
    openerTimer = setTimeout(() => {
      openerTimer = null;
      if (!current && !busy) sendRequest();
    }, OPENER_WAIT_MS);
  }

  function askOpener() {
    link.send(window.opener, parentOrigin(), link.HELLO, {});
  }

  // ---------------------------------------------------------------------------------------
  // 1. The request

  let asked = null; // the stand-in's /api/config, asked once
  function standInConfig() {
    if (!asked) {
      asked = fetch("/api/config").then((answer) => {
        if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
        return answer.json();
      }).catch((error) => {
        asked = null;
        throw new Error(`The LivePerson stand-in did not give its configuration (${error.message}).`);
      });
    }
    return asked;
  }

  async function sendRequest() {
    busy = true;
    login.hidden = true;
    retry.hidden = true;
    setStatus("pending", "Preparing the login…");
    let config;
    try {
      config = await standInConfig();
    } catch (error) {
      return fail(error.message);
    }
    if (!config.authorization_endpoint) {
      return fail("The stand-in does not know the brand's authorization endpoint: its discovery " +
        "document is unreachable or has none. The pop-out window cannot log you in without it.");
    }
    if (config.flow === "code" && config.pkce && !(window.crypto && crypto.subtle)) {
      return fail("PKCE needs crypto.subtle, which browsers give only to secure pages (https, or http on localhost).");
    }

    const windowUri = location.origin + location.pathname;
    const parentWindowOrigin = parentOrigin();
    // A fresh random value makes every state unique, so no earlier or foreign state can match it.
    const nonce = randomUrlSafe(32);
    const configuration = windowConfig(config, nonce, parentWindowOrigin, windowUri);
    const legacy = config.rfc_compliance === "openid";
    const state = legacy ? null : JSON.stringify(configuration);
    const legacyQuery = legacy ? JSON.stringify(configuration.lpUnifiedWindowConfig) : null;
    const redirectUri = legacy
      ? `${windowUri}?${new URLSearchParams({ [LEGACY_CONFIG]: legacyQuery })}`
      : windowUri;

    let request;
    try {
      request = new URL(config.authorization_endpoint);
    } catch {
      return fail(`The brand's authorization endpoint is not a URL: ${config.authorization_endpoint}`);
    }
    const params = request.searchParams;
    const implicit = legacy ? "token" : "id_token";
    params.set("response_type", config.flow === "implicit" ? implicit : "code");
    params.set("client_id", config.client_id || "");
    params.set("scope", "openid");
    params.set("redirect_uri", redirectUri);
    if (state) params.set("state", state);
    if (parentWindowOrigin) params.set("parentWindowOrigin", parentWindowOrigin);
    let verifier = null;
    if (config.flow === "code" && config.pkce) {
      verifier = randomUrlSafe(48);
      params.set("code_challenge", await s256(verifier));
      params.set("code_challenge_method", "S256");
    }

    sessionStorage.setItem(PENDING_KEY, JSON.stringify({
      state, legacyQuery, verifier, flow: config.flow, account: config.account,
      // The token request's redirect_uri: the authorization request's, or the legacy connector's own.
      tokenRedirectUri: legacy ? config.redirect_uri : redirectUri,
    }));
    if (view) sessionStorage.setItem(DRAFT_KEY, view.input.value);
    setStatus("pending", "Opening the login page…");
    location.assign(request.href);
  }

  // What LivePerson packs into `state`: the window's own configuration, several KB of JSON the brand
  // must hand back unchanged (it tests that the brand's login keeps a large state intact).
  function windowConfig(config, nonce, parentWindowOrigin, redirectUri) {
    const labels = {};
    for (const [key, text] of LABELS) labels[key] = text;
    return {
      lpUnifiedWindowConfig: {
        nonce,
        accountId: config.account,
        parentWindowOrigin,
        redirectUri,
        external: true,
        authentication: { flow: config.flow, pkce: Boolean(config.pkce), connector: "OAuth 2.0" },
        engagement: { engagementId: "3581364030", campaignId: "3581363930", windowId: "3581364130",
          channel: "web", language: "en-US", skill: "authenticated" },
        appearance: { theme: "default", primaryColor: "#1a3a5f", secondaryColor: "#f5f7fa",
          fontFamily: "system-ui", width: 420, height: 640, position: "bottom-right" },
        connection: { transport: "websocket", protocol: "ms.v3", heartbeatSeconds: 30,
          reconnectAttempts: 5, reconnectBackoffMs: [1000, 2000, 5000, 10000, 30000],
          idleTimeoutMinutes: 30, historyPageSize: 50 },
        features: ["typingIndicator", "readReceipts", "fileSharing", "richContent", "emoji",
          "transcriptDownload", "surveys", "secureForms", "quickReplies", "structuredContent"],
        labels,
        createdAt: new Date().toISOString(),
      },
    };
  }

  const LABELS = [
    ["header", "Chat with us"], ["minimize", "Minimize window"], ["popout", "Pop out"],
    ["close", "Close chat"], ["endConversation", "End conversation"],
    ["endConfirm", "Are you sure you want to end this conversation?"], ["yes", "Yes"], ["no", "No"],
    ["send", "Send"], ["inputPlaceholder", "Type your message here"],
    ["agentTyping", "The agent is typing…"], ["visitorTyping", "You are typing…"],
    ["waiting", "Please wait while we connect you to an agent."],
    ["queuePosition", "You are number {position} in the queue."],
    ["agentJoined", "{agentName} has joined the conversation."],
    ["agentLeft", "{agentName} has left the conversation."],
    ["transferred", "You are being transferred to another agent."],
    ["conversationEnded", "The conversation has ended. Thank you for contacting us."],
    ["reconnecting", "Reconnecting… Please do not close this window."],
    ["connectionLost", "The connection was lost. We will try again in a moment."],
    ["authenticating", "Logging you in…"], ["authenticated", "You are logged in."],
    ["authenticationFailed", "We could not sign you in. Please try again."],
    ["sessionExpired", "Your session has expired. Please log in again."],
    ["fileTooLarge", "The file is too large to send."], ["fileTypeNotAllowed", "This type of file cannot be sent."],
    ["uploadFailed", "The file could not be uploaded."], ["download", "Download transcript"],
    ["surveyTitle", "How did we do?"], ["surveySubmit", "Submit"], ["surveySkip", "Skip"],
    ["surveyThanks", "Thank you for your feedback."], ["readReceipt", "Read"], ["sent", "Sent"],
    ["offline", "We are offline right now. Please leave a message."],
    ["privacy", "By chatting with us you agree to the recording of this conversation."],
    ["secureFormTitle", "Secure form"], ["secureFormSubmit", "Submit securely"],
    ["secureFormExpired", "This secure form has expired."], ["newMessages", "New messages"],
    ["scrollToBottom", "Scroll to the latest message"], ["emojiPicker", "Insert an emoji"],
    ["attachFile", "Attach a file"], ["menu", "More options"], ["clearHistory", "Clear history"],
    ["messageFailed", "The message could not be sent. Tap to try again."], ["retry", "Try again"],
    ["today", "Today"], ["yesterday", "Yesterday"], ["agentAway", "The agent is away for a moment."],
    ["visitorAway", "Are you still there? The conversation will close soon."],
    ["copyText", "Copy text"], ["linkPreview", "Link preview"], ["printTranscript", "Print transcript"],
    ["accessibilityNewMessage", "New message from {agentName}"], ["charactersLeft", "{count} characters left"],
  ];

  // ---------------------------------------------------------------------------------------
  // 2. The response

  // The brand may answer in the query (code flow's default) or the fragment (implicit's default).
  function responseParams() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const query = new URLSearchParams(location.search);
    const isResponse = (params) => RESPONSE_PARAMS.some((name) => params.has(name));
    if (isResponse(fragment)) return fragment;
    if (isResponse(query)) return query;
    return null;
  }

  async function receive(params) {
    busy = true;
    const echoed = new URLSearchParams(location.search).getAll(LEGACY_CONFIG);
    // First of all: a code or token must not stay in the address bar or the history.
    history.replaceState(null, "", location.pathname);
    const pending = takePending();
    if (!pending) {
      return fail("This window has no login request waiting for an answer, so the response was " +
        "refused and sent nowhere.");
    }
    const [sent, came] = pending.legacyQuery
      ? [pending.legacyQuery, echoed]
      : [pending.state, params.getAll("state")];
    if (came.length !== 1 || came[0] !== sent) {
      const what = pending.legacyQuery ? `The ${LEGACY_CONFIG} in the address` : "The state";
      return fail(`${what} that came back is not the one this window sent (foreign or altered), ` +
        "so the response was refused and sent nowhere.");
    }
    if (params.has("error")) {
      const description = params.get("error_description");
      return fail(`The brand answered ${params.get("error")}${description ? ": " + description : "."}`);
    }

    // The code with what it was issued for, or the id_token: both go in authCode.
    const body = { authCode: null, channel: "popout" };
    if (pending.flow === "implicit") {
      body.authCode = params.get("id_token") || params.get("token");
      if (!body.authCode) return fail("The window asked the brand for an id_token and got none back.");
    } else {
      body.authCode = params.get("code");
      if (!body.authCode) return fail("The window asked the brand for a code and got none back.");
      // RFC 6749 §4.1.3: the authorization request's redirect_uri (the legacy connector: its own).
      body.redirect_uri = pending.tokenRedirectUri;
      if (pending.verifier) body.code_verifier = pending.verifier;
    }

    setStatus("pending", "Logging you in…");
    let token;
    try {
      // With the guest's token, step-up: the guest's conversation goes on as the customer's.
      token = await messaging.authenticate(location.origin, pending.account, body,
        sessionStorage.getItem(GUEST_KEY));
    } catch (error) {
      return fail(error.message);
    }
    sessionStorage.removeItem(GUEST_KEY);
    // Newer than any visitor the tag has now: the tag catches up (below), not the other way round.
    sessionStorage.setItem(FOLLOWED_KEY, String(Date.now()));
    current = { customerId: messaging.readToken(token).customerId, token };
    showVisitor(status, current.customerId);
    busy = false;
    converse(pending.account, token);
    // The embedded window's guest is spent, and the brand's page may show the login without a reload.
    if (canAskOpener()) link.send(window.opener, parentOrigin(), link.LOGGED_IN, {});
  }

  function takePending() {
    const stored = sessionStorage.getItem(PENDING_KEY);
    sessionStorage.removeItem(PENDING_KEY); // one response per request: a replay finds nothing
    try {
      return stored ? JSON.parse(stored) : null;
    } catch {
      return null;
    }
  }

  // The tag passes the brand page's origin; kept for the next login, after the URL was cleared.
  function rememberParentOrigin() {
    const given = new URLSearchParams(location.search).get("parentWindowOrigin");
    if (!given) return;
    try {
      // Only a bare origin goes on to the brand: no path, no query, nothing smuggled along.
      if (new URL(given).origin === given) sessionStorage.setItem(PARENT_KEY, given);
    } catch {
      // not a URL: leave it out of the request
    }
  }

  // ---------------------------------------------------------------------------------------
  // 3. The conversation

  function converse(account, token) {
    if (!session) {
      session = new messaging.Session({ standIn: location.origin, account, reauthenticate });
      session.on("conversation", (id) => {
        chat.dataset.conversationId = id;
        showDetail(`Conversation ${id}.`);
      });
      // A guest's token, extended (4407): kept for the step-up at the login.
      session.on("token", (token) => {
        if (!current || current.customerId !== null) return;
        current.token = token;
        sessionStorage.setItem(GUEST_KEY, token);
      });
      view = lpStandInChatView.create(session);
      view.input.value = sessionStorage.getItem(DRAFT_KEY) || "";
      sessionStorage.removeItem(DRAFT_KEY);
      chat.insertBefore(view.root, chat.querySelector(".lpsi-footer"));
    }
    session.connect(token);
  }

  // The token expired and could not be extended. A customer logs in by redirect again, keeping the
  // unsent text (sendRequest); a guest takes the tag's guest again, or, alone, is offered the login.
  function reauthenticate() {
    if (current && current.customerId !== null) return sendRequest();
    current = null;
    sessionStorage.removeItem(GUEST_KEY);
    sessionStorage.removeItem(FOLLOWED_KEY);
    if (canAskOpener()) setStatus("pending", "Connecting…");
    else fail("Your guest chat expired. Log in to chat again.");
  }

  // ---------------------------------------------------------------------------------------
  // Display and helpers

  function setStatus(state, text) {
    status.dataset.state = state; // pending | authenticated | unauthenticated | failed: what tests wait on
    status.textContent = text;
    login.hidden = true;
  }

  function showDetail(text) {
    detail.hidden = false;
    detail.textContent = text;
  }

  function fail(text) {
    busy = false;
    setStatus("failed", text);
    retry.hidden = false; // a fresh, legitimate request is one click away
  }

  // ---------------------------------------------------------------------------------------
  // Start: last, once everything above is defined.

  rememberParentOrigin();
  link.listen((event) => event.origin === parentOrigin() && event.source === window.opener,
    { [link.VISITOR]: followTag });
  const response = responseParams();
  if (response) receive(response);
  else if (canAskOpener()) waitForOpener();
  else sendRequest();
  if (canAskOpener()) {
    askOpener();
    setInterval(askOpener, link.POLL_MS);
  }
})();
