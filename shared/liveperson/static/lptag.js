/*
 * The LivePerson stand-in's Web SDK tag: the part of `lpTag` a brand page touches for consumer
 * authentication, served at /tag/tag.js?site=ACCOUNT like the real tag.
 *
 * What the page gets:
 *   lpTag.identities             the page pushes fn(callback); the result {iss, acr: "loa1", sub}
 *                                (or null) is shown in the chat window as the identified visitor.
 *   lpTag.events.bind/unbind/trigger/hasFired
 *                                `lpUnifiedWindow` / `state` fires {state: "initialised" | "waiting" |
 *                                "interactive" | "ended"} for the embedded window only.
 *   lpTag.newPage(url, {section, sdes})
 *   lpTag.openChat()             opens the embedded chat window (also lpTag.taglets.rendererStub.click());
 *                                returns a promise settled when the first authentication is over.
 *                                The real tag opens it from an engagement, a "Chat with us" button
 *                                LivePerson renders; the stand-in leaves the button to the brand page.
 *   lpTag.standIn                options a page may set before loading the tag:
 *                                {callbackTimeoutSeconds: 15}.
 *
 * When the window opens, the tag reads the account's settings from the stand-in (/api/config) and
 * calls the page's authentication method (default `lpGetAuthenticationToken`) with a callback. A code
 * or JWT goes to LivePerson's IdP (authenticate) for the customer's consumer token; a page that
 * cannot authenticate the visitor (no method, or a callback without a code) leaves them a guest
 * (signup), if the account allows guests. The page's reason goes to the console, not into the
 * window: a guest is a normal visitor, and the page shows its own errors. Then the conversation
 * runs over LivePerson's WebSocket (messaging.js, shown by chat-view.js). When the token expires
 * the socket closes with 4401 and the tag asks the page again; the conversation goes on.
 *
 * The visitor changes (lpTag.newPage after a login or logout without a page load, as LivePerson
 * asks of single-page apps; or a page load, since an open window comes back on the next page of
 * the tab): when the identity function names someone other than the window's customer, the tag
 * authenticates again. A guest who logs in steps up, so their conversation goes on as the
 * customer's; a customer who logs out becomes a new guest (signIn says why). The guest's token is
 * kept for the tab (sessionStorage), so a guest keeps their conversation from page to page, up to
 * the login.
 *
 * The popped-out window (window.js) follows this window's visitor through popout-link.js: it is
 * handed the guest's token, so a guest's conversation goes on there too, or it logs the customer
 * in through the brand. A login inside the pop-out comes back here: the tag fires
 *   lpTag.events  `lpStandIn` / `popoutAuthenticated`   (the stand-in's own; LivePerson's pop-out
 *                 tells the page nothing, so a page should also re-check its session when shown)
 * and waits for the page's lpTag.newPage to authenticate this window too.
 *
 * Plain JavaScript, no build step, no libraries: it is meant to be read.
 */
(function () {
  "use strict";

  const { randomUrlSafe, s256 } = lpStandInCrypto; // static/pkce.js
  const messaging = lpStandInMessaging; // static/messaging.js
  const { element, showVisitor } = lpStandInChatView; // static/chat-view.js
  const link = lpStandInPopoutLink; // static/popout-link.js

  // The tag runs on the brand's page but talks to the origin it was loaded from.
  const script = document.currentScript || document.querySelector('script[src*="/tag/tag.js"]');
  const scriptUrl = new URL(script ? script.src : "/tag/tag.js", location.href);
  const STAND_IN = scriptUrl.origin;
  const CSS_URL = STAND_IN + "/web-sdk/chat.css";

  const IDENTITY_TIMEOUT_MS = 5000; // an identity function that never answers means: anonymous
  const NO_GUESTS = "You are not logged in: log in to chat with us."; // an account without guests

  // Keep whatever the page set before the tag loaded: the real snippet sets lpTag.site and
  // lpTag.section, and pages push identities, SDEs and event bindings before the tag arrives.
  const lpTag = (window.lpTag = window.lpTag || {});
  if (lpTag.standInLoaded) return; // a second copy must not reset the first one's window and bindings
  lpTag.standInLoaded = true;
  lpTag.site = lpTag.site || scriptUrl.searchParams.get("site") || undefined;
  lpTag.identities = Array.isArray(lpTag.identities) ? lpTag.identities : [];
  lpTag.sdes = Array.isArray(lpTag.sdes) ? lpTag.sdes : [];
  lpTag.standIn = Object.assign({ callbackTimeoutSeconds: 15 }, lpTag.standIn);

  const queuedEvents = lpTag.events;
  const events = createEvents();
  lpTag.events = events;

  let chat = null; // the open embedded window, or null
  let windowState = null; // the last lpUnifiedWindow state fired

  // What the tab remembers across the brand's pages: whether the window is open, and a guest's token.
  const STORAGE_KEY = `lpsi.${lpTag.site}.chat`;

  lpTag.openChat = openChat;
  lpTag.taglets = lpTag.taglets || {};
  lpTag.taglets.rendererStub = { click: () => openChat() };
  lpTag.newPage = newPage;

  replayQueued(queuedEvents);
  reopenOnThisPage();
  // Only windows of the stand-in's own origin are answered (popout-link.js says why that is enough).
  link.listen((event) => event.origin === STAND_IN && event.source !== null, {
    [link.HELLO]: (data, event) => answerPopout(event.source),
    [link.LOGGED_IN]: () => popoutLoggedIn(),
  });

  // ---------------------------------------------------------------------------------------
  // Events

  function createEvents() {
    let nextId = 1;
    let handlers = []; // {id, appName, eventName, func, once}
    const fired = []; // every event so far, for hasFired(): a page may bind after the fact

    const matches = (h, appName, eventName) =>
      (h.appName === appName || h.appName === "*") && (h.eventName === eventName || h.eventName === "*");

    // bind(appName, eventName, func) or bind({appName, eventName, func, triggerOnce}); returns an id.
    function bind(appName, eventName, func) {
      let once = false;
      if (appName && typeof appName === "object") {
        ({ appName, eventName, func, triggerOnce: once } = appName);
      }
      if (typeof func !== "function") return null;
      const id = "lpsi-" + nextId++;
      handlers.push({ id, appName, eventName, func, once: Boolean(once) });
      return id;
    }

    // unbind(id), unbind(appName, eventName, func) or unbind({appName, eventName, func}).
    function unbind(appName, eventName, func) {
      if (appName && typeof appName === "object") {
        ({ appName, eventName, func } = appName);
      } else if (eventName === undefined && func === undefined) {
        const before = handlers.length;
        handlers = handlers.filter((h) => h.id !== appName);
        return handlers.length < before;
      }
      const before = handlers.length;
      handlers = handlers.filter(
        (h) => !(h.appName === appName && h.eventName === eventName && (!func || h.func === func)),
      );
      return handlers.length < before;
    }

    function trigger(appName, eventName, data) {
      if (appName && typeof appName === "object") {
        ({ appName, eventName, data } = appName);
      }
      fired.push({ appName, eventName, data });
      for (const h of handlers.slice()) {
        if (!matches(h, appName, eventName)) continue;
        if (h.once) unbind(h.id);
        try {
          h.func(data, { appName, eventName });
        } catch (error) {
          // A page's handler that throws must not stop the window or the other handlers.
          console.error("[lpTag stand-in] an event handler threw:", error);
        }
      }
    }

    function hasFired(appName, eventName) {
      return fired.filter((e) => e.appName === appName && e.eventName === eventName);
    }

    return { bind, unbind, trigger, hasFired };
  }

  // Bindings made before the tag loaded: an array the page pushed to, or the real snippet's
  // deferred calls (lpTag.defer queues them in _defB, _defL and _defT).
  function replayQueued(queued) {
    if (Array.isArray(queued)) {
      for (const entry of queued) {
        if (Array.isArray(entry)) events.bind(...entry);
        else events.bind(entry);
      }
    }
    for (const queue of ["_defB", "_defL", "_defT"]) {
      const calls = Array.isArray(lpTag[queue]) ? lpTag[queue] : [];
      lpTag[queue] = [];
      for (const call of calls) {
        try {
          call();
        } catch (error) {
          console.error("[lpTag stand-in] a deferred call threw:", error);
        }
      }
    }
    lpTag.defer = (fn) => fn(); // loaded: nothing to wait for any more
  }

  function fireState(state) {
    // Only the embedded window reports its state; the popped-out window has no lpTag at all.
    if (state === windowState) return; // reconnecting or renewing a token is no new state
    windowState = state;
    events.trigger("lpUnifiedWindow", "state", { state });
  }

  // ---------------------------------------------------------------------------------------
  // What the tab remembers (the brand page's sessionStorage, which the page could read anyway)

  function remembered() {
    try {
      return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || {};
    } catch {
      return {}; // storage disabled or unreadable: nothing carries over to the next page
    }
  }

  function remember(changes) {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(Object.assign(remembered(), changes)));
    } catch {
      // storage disabled: the window works on this page all the same
    }
  }

  // A window left open on the previous page of the tab comes back, as LivePerson's does.
  function reopenOnThisPage() {
    if (!remembered().open) return;
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => openChat());
    else openChat();
  }

  // ---------------------------------------------------------------------------------------
  // Page API

  function newPage(url, options) {
    const { section, sdes } = options || {};
    lpTag.pageUrl = url || location.href;
    if (section !== undefined) lpTag.section = section;
    if (Array.isArray(sdes)) lpTag.sdes.push(...sdes);
    else if (sdes) lpTag.sdes.push(sdes);
    // In a single-page app a login or logout happens without a page load: ask who the visitor is.
    if (chat) visitorMayHaveChanged(chat);
  }

  function openChat() {
    if (chat) return chat.started; // one window at a time, as with the real engagement
    chat = buildWindow();
    remember({ open: true });
    fireState("initialised");
    chat.started = startConversation(chat);
    return chat.started;
  }

  function closeChat(win) {
    win.closed = true;
    if (win.session) win.session.disconnect();
    win.root.remove();
    if (chat === win) chat = null;
    remember({ open: false }); // a guest's token stays: "Chat with us" again goes on with the conversation
    fireState("ended");
  }

  // ---------------------------------------------------------------------------------------
  // The embedded window

  function buildWindow() {
    if (!document.querySelector('link[data-lpsi-css]')) {
      const css = element("link", { rel: "stylesheet", href: CSS_URL, "data-lpsi-css": "" });
      document.head.appendChild(css);
    }
    const status = element("p", {
      class: "lpsi-status",
      "data-testid": "chat-status",
      "data-state": "pending",
      "data-authentications": "0",
      role: "status",
      "aria-live": "polite",
    }, "Connecting…");
    // What the page's identity function said: the stand-in's diagnostic, in the footer's details.
    const identity = element("p", { "data-testid": "chat-identity" },
      "Checking who you are…");
    const note = element("p", { class: "lpsi-note", "data-testid": "chat-note", hidden: "" });
    const popout = element("button", { type: "button", class: "lpsi-button", "data-testid": "chat-popout" },
      "Pop out");
    const close = element("button", {
      type: "button", class: "lpsi-close", "data-testid": "chat-close", "aria-label": "Close chat",
    }, "×");
    const root = element("section", { class: "lpsi-window", role: "dialog", "aria-label": "Chat" }, [
      element("header", { class: "lpsi-header" }, [
        element("h2", { class: "lpsi-title" }, "Chat"), popout, close,
      ]),
      status,
      note,
      element("footer", { class: "lpsi-footer" }, [
        element("details", {}, [element("summary", {}, "LivePerson stand-in (local)"), identity]),
      ]),
    ]);
    (document.body || document.documentElement).appendChild(root);

    const win = {
      root, status, identity, note,
      config: null, session: null, closed: false, authentications: 0,
      customerId: null, // the brand's customer the consumer token names; null for a guest
      visitor: null, // {since, customerId, guestToken}: what the pop-out is told; null while signing in
      awaitingPage: false, // the pop-out logged the visitor in: this window waits for lpTag.newPage
      signingIn: null, // the sign-in under way, if any
    };
    popout.addEventListener("click", () => popOut(win));
    close.addEventListener("click", () => closeChat(win));
    return win;
  }

  function setStatus(win, state, text) {
    win.status.dataset.state = state; // pending | authenticated | unauthenticated | failed: what tests wait on
    win.status.textContent = text;
  }

  function showNote(win, text) {
    win.note.hidden = !text;
    win.note.textContent = text || "";
  }

  function popOut(win) {
    // window.open straight from the click, or the browser blocks it as an unsolicited pop-up.
    const url = new URL((win.config && win.config.window_url) || STAND_IN + "/le_unified_window/index.html");
    // The window sends this on to the brand as LivePerson's `parentWindowOrigin`.
    url.searchParams.set("parentWindowOrigin", location.origin);
    const popup = window.open(url.href, "lpsiChatWindow", "popup,width=420,height=640");
    showNote(win, popup
      ? "The conversation goes on in the pop-out window too."
      : "The browser blocked the pop-out window: allow pop-ups for this site.");
  }

  // The pop-out asks who chats here (popout-link.js): a guest's token, or that a customer does,
  // whom the pop-out logs in through the brand. Told once this window is in its conversation, so
  // that the pop-out finds it open rather than asking for a second one at the same moment.
  function answerPopout(popout) {
    const reply = (body) => link.send(popout, STAND_IN, link.VISITOR, body);
    if (!chat) return reply({ none: true });
    if (!chat.visitor || !chat.session || !chat.session.live) return reply({ pending: true });
    const { since, customerId, guestToken } = chat.visitor;
    reply(customerId === null ? { since, guestToken } : { since, customerId });
  }

  // The visitor logged in inside the pop-out. The guest the pop-out was handed is spent: its
  // conversation is the customer's now. This window must not go on as that guest, nor as a new
  // one (a later login would step the new guest's empty conversation up and close the customer's),
  // so it authenticates again through the page: at once if the page offers its method, or when
  // the page, told by the event, has re-checked its session and called lpTag.newPage.
  function popoutLoggedIn() {
    remember({ guestToken: null });
    const win = chat;
    if (win && win.session && win.customerId === null && !win.signingIn) {
      win.session.disconnect();
      win.visitor = null;
      win.awaitingPage = true;
      if (win.config && !authenticationMethod(win.config).missing) {
        signInAgain(win, "You logged in in the pop-out window: logging you in here too…");
      } else {
        setStatus(win, "pending", "You logged in in the pop-out window: updating this page…");
      }
    }
    events.trigger("lpStandIn", "popoutAuthenticated", {});
  }

  // ---------------------------------------------------------------------------------------
  // Identity (targeting only: it identifies the visitor, it does not authenticate them)

  // Shows who the page identifies; resolves with their sub, or null.
  async function showIdentity(win) {
    const answers = await Promise.all(lpTag.identities.map(askIdentity));
    if (win.closed) return null;
    const given = answers.find((a) => a && typeof a === "object");
    delete win.identity.dataset.sub;
    if (!given) {
      win.identity.textContent = "Visitor not identified (no identity function answered with a visitor).";
      return null;
    }
    const missing = ["iss", "acr", "sub"].filter((k) => !given[k]);
    if (missing.length || given.acr !== "loa1") {
      win.identity.textContent = missing.length
        ? `Identity ignored: it lacks ${missing.join(", ")} (iss, acr and sub are all required).`
        : `Identity ignored: acr is ${JSON.stringify(given.acr)}, LivePerson accepts only "loa1".`;
      return null;
    }
    win.identity.textContent = `Identified visitor: ${given.sub} (issuer ${given.iss})`;
    win.identity.dataset.sub = String(given.sub);
    return String(given.sub);
  }

  function askIdentity(fn) {
    return new Promise((resolve) => {
      if (typeof fn !== "function") return resolve(null);
      const timer = setTimeout(() => resolve(null), IDENTITY_TIMEOUT_MS);
      try {
        fn((value) => {
          clearTimeout(timer);
          resolve(value === undefined ? null : value);
        });
      } catch (error) {
        clearTimeout(timer);
        console.error("[lpTag stand-in] an identity function threw:", error);
        resolve(null);
      }
    });
  }

  // ---------------------------------------------------------------------------------------
  // The conversation

  async function startConversation(win) {
    // Shown beside the rest, as the page's identity function may be slow.
    const identified = showIdentity(win);
    fireState("waiting"); // the visitor waits while LivePerson authenticates them
    try {
      const response = await fetch(STAND_IN + "/api/config", { mode: "cors" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      win.config = await response.json();
    } catch (error) {
      if (!win.closed) setStatus(win, "failed", `The LivePerson stand-in is unreachable (${error.message}).`);
      return;
    }
    if (win.closed) return;
    win.account = lpTag.site || win.config.account;
    win.session = new messaging.Session({
      standIn: STAND_IN,
      account: win.account,
      reauthenticate: () => {
        // A guest asked to authenticate has a token the IdP will not renew (issued by another
        // stand-in, or expired too long ago): a new guest then, rather than the same refusal again.
        if (win.customerId === null) remember({ guestToken: null });
        signInAgain(win, "Your login expired: asking the page for a new one…");
      },
    });
    // A guest's token, extended (4407): the same guest, for the next page and for the pop-out.
    win.session.on("token", (token) => {
      if (win.customerId !== null) return;
      remember({ guestToken: token });
      if (win.visitor) win.visitor.guestToken = token;
    });
    win.session.on("conversation", (id) => {
      win.root.dataset.conversationId = id;
      fireState("interactive"); // the conversation is open for messages
    });
    win.session.on("ended", () => fireState("ended"));
    win.root.insertBefore(lpStandInChatView.create(win.session).root, win.root.lastElementChild);
    await Promise.all([identified, signInAgain(win, "Asking the page to authenticate you…")]);
  }

  // lpTag.newPage: when the page now identifies someone other than the window's customer (a
  // login: someone where there was a guest; a logout: nobody where there was a customer),
  // authenticate again. Compared with the customer the window's token names, not with what the
  // identity function said before: the two can disagree (a page that learnt of a login late), and
  // the window must never go on as a customer the page no longer names.
  async function visitorMayHaveChanged(win) {
    const identified = await showIdentity(win);
    if (win.signingIn) await win.signingIn;
    if (win.closed || !win.session) return;
    if (identified === win.customerId && !win.awaitingPage) return; // the same visitor: nothing to do
    await signInAgain(win, identified ? "You logged in: authenticating you…" : "You logged out…");
  }

  // Signs the visitor in (again) and connects as them. The socket is closed first: with a guest's
  // token this is step-up, and the guest's socket must not see the conversation leave it.
  function signInAgain(win, pendingText) {
    win.session.disconnect();
    win.visitor = null;
    win.awaitingPage = false;
    win.signingIn = signIn(win, pendingText).then((token) => {
      win.signingIn = null;
      if (token && !win.closed) win.session.connect(token);
    });
    return win.signingIn;
  }

  // A consumer token: the customer's, from the code or JWT the page's method gives, or, when the page
  // cannot authenticate the visitor, a guest's (if the account allows guests). Null on failure, shown.
  //
  // Logout: LivePerson documents that a logged-out consumer does not see the authenticated
  // history. So a customer who logs out does not keep the conversation: the window drops it and
  // the visitor goes on as a new guest, in a new, empty conversation (no guest token is kept once
  // a customer is authenticated, so the signup below makes a new guest). The customer's
  // conversation stays theirs, open for the agent. A login from here steps the new guest's
  // conversation up, as any guest's (the IdP then closes the customer's earlier open one).
  async function signIn(win, pendingText) {
    setStatus(win, "pending", pendingText);
    let answer;
    try {
      answer = await askPage(win.config);
    } catch (error) {
      answer = { fault: `Could not ask the page for authentication: ${error.message}` };
    }
    if (win.closed) return null;
    const guestToken = remembered().guestToken || null;

    if (answer.body) {
      let token;
      try {
        // With a guest's token, step-up: the guest's conversation goes on as the customer's.
        token = await messaging.authenticate(STAND_IN, win.account,
          Object.assign(answer.body, { channel: "web" }), guestToken);
      } catch (error) {
        if (!win.closed) setStatus(win, "failed", error.message);
        return null;
      }
      remember({ guestToken: null }); // stepped up: that guest is gone
      win.customerId = messaging.readToken(token).customerId;
      win.visitor = { since: Date.now(), customerId: win.customerId };
      win.authentications += 1;
      win.status.dataset.authentications = String(win.authentications);
      showVisitor(win.status, win.customerId);
      showNote(win, null);
      return token;
    }

    // The page's refusal is normal (nobody logged in) and its own to show; a broken contract
    // (no callback, no reason) is the stand-in's to point out, in the window's note.
    if (answer.fault) console.warn(`[lpTag stand-in] ${answer.fault}`);
    else console.info(`[lpTag stand-in] A guest: ${answer.declined}`);
    let token;
    try {
      token = guestToken || await messaging.signup(STAND_IN, win.account);
    } catch (error) {
      // No guests on this account: say so in the visitor's terms, or give the page's reason.
      const refused = error instanceof messaging.Refusal && error.status === 403;
      const why = answer.fault || answer.pageReason || NO_GUESTS;
      if (!win.closed) setStatus(win, "failed", refused ? why : error.message);
      return null;
    }
    remember({ guestToken: token });
    win.customerId = null;
    win.visitor = { since: Date.now(), customerId: null, guestToken: token };
    showVisitor(win.status, null);
    showNote(win, answer.fault || null);
    return token;
  }

  // Calls the page's method and turns whatever it calls back with into the authenticate request's
  // body. Otherwise {declined, pageReason}: the page did not authenticate the visitor (no method, as
  // on a logged-out page of a single-page app, or a callback with a reason, its own words), or
  // {fault}: the page broke the contract. Resolves in every case: a silent page ends in a fault.
  async function askPage(config) {
    const method = authenticationMethod(config);
    if (method.missing) return { declined: method.missing, pageReason: null };

    let verifier = null;
    let challenge;
    if (config.flow === "code" && config.pkce) {
      if (!window.crypto || !crypto.subtle) {
        return { fault: "PKCE needs crypto.subtle, which browsers give only to secure pages (https, or http on localhost)." };
      }
      verifier = randomUrlSafe(48); // 64 characters; RFC 7636 asks for 43 to 128
      challenge = await s256(verifier);
    }

    const seconds = Number(lpTag.standIn.callbackTimeoutSeconds) || 15;
    const outcome = await callPage(method, challenge, seconds * 1000);
    if (outcome.timedOut) {
      return {
        fault: `The page's ${method.label} did not call back within ${seconds} seconds. ` +
          "It must always call the callback, with a failure reason if it has no code or token.",
      };
    }
    return bodyFromAnswer(outcome, config, verifier, method.label);
  }

  function authenticationMethod(config) {
    const name = config.js_method;
    const label = config.js_context ? `${config.js_context}.${name}` : name;
    let context = window;
    for (const part of (config.js_context || "").split(".").filter(Boolean)) {
      context = context == null ? undefined : context[part];
    }
    const fn = context == null ? undefined : context[name];
    if (typeof fn !== "function") {
      return { missing: `the page has no ${label} function (LivePerson calls it to get a code or token).` };
    }
    return { fn, context, label };
  }

  function callPage(method, challenge, timeoutMs) {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome) => {
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => settle({ timedOut: true }), timeoutMs);
      const callback = (value, reason) => {
        if (settled) {
          console.warn(`[lpTag stand-in] ${method.label} called back again or too late; ignored.`);
          return;
        }
        settle({ value, reason });
      };
      try {
        // fn(callback), or with PKCE fn(callback, code_challenge); `this` is the configured context.
        if (challenge === undefined) method.fn.call(method.context, callback);
        else method.fn.call(method.context, callback, challenge);
      } catch (error) {
        if (!settled) settle({ value: "", reason: `${method.label} threw: ${error.message}` });
      }
    });
  }

  // Every documented callback form: callback(code), callback({ssoKey, redirect_uri}),
  // callback(id_token) in the implicit flow, and callback("" or {}, reason) on failure.
  function bodyFromAnswer({ value, reason }, config, verifier, label) {
    let key = "";
    let redirectUri = null;
    if (typeof value === "string") {
      key = value;
    } else if (value && typeof value === "object") {
      key = typeof value.ssoKey === "string" ? value.ssoKey : "";
      redirectUri = typeof value.redirect_uri === "string" ? value.redirect_uri : null;
    }
    if (!key) {
      return reason
        ? { declined: `${label} called back without a code: ${reason}`, pageReason: String(reason) }
        : { fault: `${label} called back without a code or token, and without a reason.` };
    }
    const body = { authCode: key }; // a JWT too: LivePerson tells them apart by their form
    if (config.flow === "implicit") return { body };
    // Without a redirect_uri LivePerson uses the one configured for the account.
    if (redirectUri) body.redirect_uri = redirectUri;
    if (verifier) body.code_verifier = verifier;
    return { body };
  }

})();
