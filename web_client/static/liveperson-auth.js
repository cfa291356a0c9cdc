/*
 * The LivePerson Web SDK consumer-authentication contract, as a brand page implements it.
 *
 *   lpTag.identities      fn(callback): {iss, acr: "loa1", sub} for a logged-in customer. It only
 *                         identifies the visitor (targeting); it proves nothing.
 *   the authentication    window[name](callback[, code_challenge]) (or context.name), name and context
 *   method                as configured in LivePerson's console; default lpGetAuthenticationToken.
 *                         Code flow:     callback({ssoKey: code, redirect_uri}) with a code from the
 *                                        backend's POST /api/liveperson/code (with PKCE the SDK's
 *                                        code_challenge goes along; LivePerson holds the verifier).
 *                         Implicit flow: callback(id_token) from POST /api/liveperson/jwt.
 *                         Otherwise:     callback("", reason).
 *
 * Both are offered while a customer is logged in, and only then, as LivePerson asks of single-page
 * apps: on login, push the identity and define the method, then lpTag.newPage(url); on logout,
 * remove both, then lpTag.newPage(url). The SDK then authenticates the visitor again: a guest's
 * conversation steps up; a customer who logged out goes on as a guest. A login or logout reaches
 * this page without a page load through brand-session.js (this page's Log out, a login inside the
 * popped-out window, another tab).
 *
 * Until the page knows who is logged in, both are offered, and wait for the answer: the SDK may
 * call them as soon as the tag loads (a chat window coming back on this page), and a customer taken
 * for a guest meanwhile would be stepped up a moment later, their open conversation closed for the
 * guest's new, empty one.
 *
 * The method ALWAYS calls back, exactly once: a window waiting for an answer that never comes is the
 * classic integration bug. LivePerson calls it again when the token expires; every call asks the
 * backend afresh, so a logout or an expired session is noticed at once. A visitor who is simply not
 * logged in is no error: the chat says they chat as a guest, and the page says nothing. Real
 * failures (an expired session, an unreachable backend) are shown on the page (auth-message).
 */
(function () {
  "use strict";

  const { config, api, describe, currentUser, forgetUser, recheckUser, recheckQuietly, onUserChange,
    standInConfig, BackendUnreachable } = window.brand;

  window.lpTag = window.lpTag || {};
  lpTag.identities = lpTag.identities || [];

  // Where the method is installed: the site's setting, and with the stand-in its account's too.
  const methodNames = [[config.jsContext, config.jsMethod]];
  let offered = false;

  offer(true); // until the page knows (above); while the backend cannot say, they ask it each time
  onUserChange((user, before) => {
    offer(Boolean(user));
    if (before === undefined) return; // the page's first answer: the page as it loaded, no change
    if (user) hideMessage(); // the reason shown for the visitor before no longer holds
    if (typeof lpTag.newPage === "function") lpTag.newPage(location.href, { section: lpTag.section });
  });
  currentUser().catch(() => {});
  whenTagLoaded(() => {
    // The stand-in's pop-out tells the tag of a login inside it: ask the backend who is logged in now.
    lpTag.events.bind("lpStandIn", "popoutAuthenticated", recheckQuietly);
  });

  // ---------------------------------------------------------------------------------------
  // Offering the identity and the method (or not)

  function offer(yes) {
    offered = yes;
    const listed = lpTag.identities.indexOf(identify);
    if (yes && listed < 0) lpTag.identities.push(identify);
    if (!yes && listed >= 0) lpTag.identities.splice(listed, 1); // the same array: the tag reads it
    for (const [context, name] of methodNames) install(context, name, yes ? getAuthenticationToken : undefined);
  }

  // Installs (or, with undefined, removes) the method as context.name; a missing dotted context
  // object is created.
  function install(context, name, fn) {
    let target = window;
    for (const part of (context || "").split(".").filter(Boolean)) {
      target[part] = target[part] || {};
      target = target[part];
    }
    if (fn) target[name] = fn;
    else delete target[name];
  }

  // With the stand-in, its account may name another method or context: answer under that name too.
  if (!config.flow && config.livepersonUrl) {
    standInConfig().then((settings) => {
      methodNames.push([settings.js_context, settings.js_method]);
      if (offered) install(settings.js_context, settings.js_method, getAuthenticationToken);
    }, () => {});
  }

  // lpTag.events once the tag has replaced the snippet's stub (the tag loads asynchronously).
  function whenTagLoaded(fn) {
    if (lpTag.standInLoaded || (lpTag.events && typeof lpTag.events.bind === "function")) return fn();
    (lpTag._defB = lpTag._defB || []).push(fn); // the tag runs these once it has loaded
  }

  // ---------------------------------------------------------------------------------------
  // Identity function

  async function identify(callback) {
    let user = null;
    try {
      user = await currentUser();
    } catch {
      user = null; // an unknown visitor is anonymous, not an error
    }
    callback(user ? { iss: config.issuer, acr: "loa1", sub: user.sub } : null);
  }

  // ---------------------------------------------------------------------------------------
  // Authentication method

  async function getAuthenticationToken(callback, codeChallenge) {
    let answered = false;
    const answer = (value, reason) => {
      if (answered) return;
      answered = true;
      callback(value, reason);
    };
    const refuse = (reason) => {
      showMessage(reason);
      answer("", reason);
    };

    try {
      const flow = await whichFlow();
      // Who the page believes is logged in: tells "session expired" from "never logged in".
      const user = await currentUser().catch(() => null);
      const result = flow === "implicit"
        ? await api("POST", "/api/liveperson/jwt")
        : await api("POST", "/api/liveperson/code", codeRequest(codeChallenge));

      if (result.status === 401) {
        forgetUser();
        if (user) {
          refuse("Your session has expired: log in again to chat as yourself.");
          recheckQuietly(); // the page shows the logout, and the SDK hears of it
        } else {
          answer("", "nobody is logged in"); // a guest: nothing to show
        }
      } else if (result.status !== 200 || !result.body) {
        refuse(`The chat could not log you in: ${describe(result)}.`);
      } else {
        hideMessage();
        // Logged in where the page did not see it (the pop-out window, another tab): catch up.
        if (!user) recheckUser().catch(() => {});
        // The object form carries the redirect_uri the code was issued for, which LivePerson must
        // send back to the token endpoint unchanged.
        answer(flow === "implicit"
          ? result.body.id_token
          : { ssoKey: result.body.code, redirect_uri: result.body.redirect_uri });
      }
    } catch (error) {
      const why = error instanceof BackendUnreachable ? error.message : `an unexpected error (${error.message})`;
      refuse(`The chat could not log you in: ${why}. Please try again later.`);
    } finally {
      if (!answered) refuse("The chat could not log you in."); // never leave the SDK waiting
    }
  }

  // The backend grants an API scope (Consumer Delegation) only once the customer has allowed it,
  // on its consent page: until then the code carries the identity scopes alone.
  function codeRequest(codeChallenge) {
    const request = { scope: config.codeScope };
    if (!codeChallenge) return request;
    return { ...request, code_challenge: codeChallenge, code_challenge_method: "S256" };
  }

  // The flow is a setting of the LivePerson account. With the stand-in the page can ask it; with a
  // real account it is configured on this site (WEB_CLIENT_FLOW).
  function whichFlow() {
    if (config.flow) return Promise.resolve(config.flow);
    return standInConfig().then((settings) => settings.flow);
  }

  // ---------------------------------------------------------------------------------------
  // The visible message (data-testid auth-message): why the chat could not log the customer in.

  function messageElement() {
    return document.querySelector('[data-testid="auth-message"]');
  }

  function showMessage(text) {
    const show = () => {
      const element = messageElement();
      if (!element) return;
      element.textContent = text;
      element.hidden = false;
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
    else show();
  }

  function hideMessage() {
    const element = messageElement();
    if (element) element.hidden = true;
  }

  window.brandChat = { showMessage, hideMessage };
})();
