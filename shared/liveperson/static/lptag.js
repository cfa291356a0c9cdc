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
 * When the window opens, the tag reads the account's settings from the stand-in (/api/config), calls
 * the page's authentication method (default `lpGetAuthenticationToken`) with a callback, posts the
 * code or JWT it gets to the stand-in, and shows who was authenticated, or why not. When the token
 * expires it asks the page again. Plain JavaScript, no build step, no libraries: it is meant to be read.
 */
(function () {
  "use strict";

  const { randomUrlSafe, s256 } = lpStandInCrypto; // static/pkce.js

  // The tag runs on the brand's page but talks to the origin it was loaded from.
  const script = document.currentScript || document.querySelector('script[src*="/tag/tag.js"]');
  const scriptUrl = new URL(script ? script.src : "/tag/tag.js", location.href);
  const STAND_IN = scriptUrl.origin;
  const CSS_URL = STAND_IN + "/web-sdk/chat.css";

  const IDENTITY_TIMEOUT_MS = 5000; // an identity function that never answers means: anonymous
  const MIN_REFRESH_MS = 2000; // an already-expired token must not make the tag ask in a tight loop
  const MAX_TIMER_MS = 2147483647; // setTimeout fires at once beyond this

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

  lpTag.openChat = openChat;
  lpTag.taglets = lpTag.taglets || {};
  lpTag.taglets.rendererStub = { click: () => openChat() };
  lpTag.newPage = newPage;

  replayQueued(queuedEvents);

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
    events.trigger("lpUnifiedWindow", "state", { state });
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
    if (chat) showIdentity(chat);
  }

  function openChat() {
    if (chat) return chat.started; // one window at a time, as with the real engagement
    chat = buildWindow();
    fireState("initialised");
    chat.started = startConversation(chat);
    return chat.started;
  }

  function closeChat(win) {
    win.closed = true;
    clearTimeout(win.refreshTimer);
    win.root.remove();
    if (chat === win) chat = null;
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
    const identity = element("p", { class: "lpsi-identity", "data-testid": "chat-identity" },
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
      identity,
      status,
      note,
      element("footer", { class: "lpsi-footer" }, "LivePerson stand-in (local)"),
    ]);
    (document.body || document.documentElement).appendChild(root);

    const win = {
      root, status, identity, note,
      config: null, closed: false, interactive: false, authentications: 0, refreshTimer: null,
    };
    popout.addEventListener("click", () => popOut(win));
    close.addEventListener("click", () => closeChat(win));
    return win;
  }

  function setStatus(win, state, text) {
    win.status.dataset.state = state; // pending | authenticated | failed: what tests wait on
    win.status.textContent = text;
  }

  function showNote(win, text) {
    win.note.hidden = false;
    win.note.textContent = text;
  }

  function popOut(win) {
    // window.open straight from the click, or the browser blocks it as an unsolicited pop-up.
    const url = new URL((win.config && win.config.window_url) || STAND_IN + "/le_unified_window/index.html");
    // The window sends this on to the brand as LivePerson's `parentWindowOrigin`.
    url.searchParams.set("parentWindowOrigin", location.origin);
    const popup = window.open(url.href, "lpsiChatWindow", "popup,width=420,height=640");
    showNote(win, popup
      ? "The conversation continues in a separate window, which signs in through the brand's login page."
      : "The browser blocked the pop-out window: allow pop-ups for this site.");
  }

  // ---------------------------------------------------------------------------------------
  // Identity (targeting only: it identifies the visitor, it does not authenticate them)

  async function showIdentity(win) {
    const answers = await Promise.all(lpTag.identities.map(askIdentity));
    if (win.closed) return;
    const given = answers.find((a) => a && typeof a === "object");
    if (!given) {
      win.identity.textContent = "Visitor not identified (no identity function answered with a visitor).";
      delete win.identity.dataset.sub;
      return;
    }
    const missing = ["iss", "acr", "sub"].filter((k) => !given[k]);
    if (missing.length || given.acr !== "loa1") {
      win.identity.textContent = missing.length
        ? `Identity ignored: it lacks ${missing.join(", ")} (iss, acr and sub are all required).`
        : `Identity ignored: acr is ${JSON.stringify(given.acr)}, LivePerson accepts only "loa1".`;
      delete win.identity.dataset.sub;
      return;
    }
    win.identity.textContent = `Identified visitor: ${given.sub} (issuer ${given.iss})`;
    win.identity.dataset.sub = String(given.sub);
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
  // Authentication

  async function startConversation(win) {
    showIdentity(win);
    fireState("waiting"); // the visitor waits while LivePerson authenticates them
    try {
      const response = await fetch(STAND_IN + "/api/config", { mode: "cors" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      win.config = await response.json();
    } catch (error) {
      if (!win.closed) setStatus(win, "failed", `The LivePerson stand-in is unreachable (${error.message}).`);
      return;
    }
    await authenticate(win, "Asking the page to authenticate you…");
  }

  async function authenticate(win, pendingText) {
    if (win.closed) return;
    setStatus(win, "pending", pendingText);
    let answer;
    try {
      answer = await askPage(win.config);
    } catch (error) {
      answer = { failure: `Could not ask the page for authentication: ${error.message}` };
    }
    if (win.closed) return;
    if (answer.failure) {
      setStatus(win, "failed", answer.failure);
      return;
    }

    const account = lpTag.site || win.config.account;
    let response;
    let result;
    try {
      response = await fetch(`${STAND_IN}/api/account/${encodeURIComponent(account)}/authenticate`, {
        method: "POST",
        mode: "cors",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign(answer.body, { channel: "web" })),
      });
      result = await response.json().catch(() => null);
    } catch (error) {
      if (!win.closed) setStatus(win, "failed", `The LivePerson stand-in is unreachable (${error.message}).`);
      return;
    }
    if (win.closed) return;
    if (!response.ok) {
      setStatus(win, "failed", describeRefusal(response.status, result));
      return;
    }

    win.authentications += 1;
    win.status.dataset.authentications = String(win.authentications);
    win.root.dataset.conversationId = result.conversation_id || "";
    setStatus(win, "authenticated", `Authenticated as ${result.sub}`);
    if (!win.interactive) {
      win.interactive = true;
      fireState("interactive"); // authenticated: the conversation is open for messages
    }
    scheduleRefresh(win, result.expires_at);
  }

  function describeRefusal(httpStatus, body) {
    if (!body || typeof body !== "object") return `Authentication failed: the stand-in answered HTTP ${httpStatus}.`;
    const name = [body.code, body.error].filter(Boolean).join(" ");
    return `Authentication failed: ${name || "HTTP " + httpStatus}: ${body.message || "no reason given"}`;
  }

  // "The customer side will be asked to provide a refreshed JWT": at expires_at, ask the page again.
  function scheduleRefresh(win, expiresAt) {
    clearTimeout(win.refreshTimer);
    if (typeof expiresAt !== "number") return;
    const delay = Math.min(Math.max(expiresAt * 1000 - Date.now(), MIN_REFRESH_MS), MAX_TIMER_MS);
    win.refreshTimer = setTimeout(
      () => authenticate(win, "The token expired: asking the page for a new one…"),
      delay,
    );
  }

  // Calls the page's method and turns whatever it calls back with into the authenticate request's
  // body, or a failure to show. Resolves in every case: a silent page ends in a timeout message.
  async function askPage(config) {
    const method = authenticationMethod(config);
    if (method.failure) return method;

    let verifier = null;
    let challenge;
    if (config.flow === "code" && config.pkce) {
      if (!window.crypto || !crypto.subtle) {
        return { failure: "PKCE needs crypto.subtle, which browsers give only to secure pages (https, or http on localhost)." };
      }
      verifier = randomUrlSafe(48); // 64 characters; RFC 7636 asks for 43 to 128
      challenge = await s256(verifier);
    }

    const seconds = Number(lpTag.standIn.callbackTimeoutSeconds) || 15;
    const outcome = await callPage(method, challenge, seconds * 1000);
    if (outcome.timedOut) {
      return {
        failure: `The page's ${method.label} did not call back within ${seconds} seconds. ` +
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
      return { failure: `The page has no ${label} function: LivePerson calls it to get a code or token.` };
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
      return {
        failure: reason
          ? `The page could not authenticate you: ${reason}`
          : `${label} called back without a code or token, and without a reason.`,
      };
    }
    if (config.flow === "implicit") return { body: { jwt: key } };
    const body = { authCode: key };
    // Without a redirect_uri LivePerson uses the one configured for the account.
    if (redirectUri) body.redirect_uri = redirectUri;
    if (verifier) body.code_verifier = verifier;
    return { body };
  }

  // ---------------------------------------------------------------------------------------
  // Helpers

  // Text only, never HTML: reasons and ids come from the page and the brand.
  function element(tag, attributes, content) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (Array.isArray(content)) node.append(...content);
    else if (content !== undefined) node.textContent = content;
    return node;
  }
})();
