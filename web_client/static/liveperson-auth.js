/*
 * The LivePerson Web SDK consumer-authentication contract, as a brand page implements it.
 *
 *   lpTag.identities      fn(callback): {iss, acr: "loa1", sub} for a logged-in customer, null
 *                         otherwise. It only identifies the visitor (targeting); it proves nothing.
 *   the authentication    window[name](callback[, code_challenge]) (or context.name), name and context
 *   method                as configured in LivePerson's console; default lpGetAuthenticationToken.
 *                         Code flow:     callback({ssoKey: code, redirect_uri}) with a code from the
 *                                        backend's POST /api/liveperson/code (with PKCE the SDK's
 *                                        code_challenge goes along; LivePerson holds the verifier).
 *                         Implicit flow: callback(id_token) from POST /api/liveperson/jwt.
 *                         Otherwise:     callback("", reason), and the reason is shown on the page.
 *
 * The method ALWAYS calls back, exactly once: a window waiting for an answer that never comes is the
 * classic integration bug. LivePerson calls it again when the token expires; every call asks the
 * backend afresh, so a logout or an expired session is noticed at once.
 */
(function () {
  "use strict";

  const { config, api, describe, currentUser, forgetUser, standInConfig, BackendUnreachable } = window.brand;

  window.lpTag = window.lpTag || {};
  lpTag.identities = lpTag.identities || [];
  lpTag.identities.push(identify);
  register(config.jsContext, config.jsMethod);

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
        refuse(user
          ? "Your session has expired: log in again to chat as yourself."
          : "You are not logged in: log in to chat as yourself.");
      } else if (result.status !== 200 || !result.body) {
        refuse(`The chat could not sign you in: ${describe(result)}.`);
      } else if (flow === "implicit") {
        hideMessage();
        answer(result.body.id_token);
      } else {
        hideMessage();
        // The object form carries the redirect_uri the code was issued for, which LivePerson must
        // send back to the token endpoint unchanged.
        answer({ ssoKey: result.body.code, redirect_uri: result.body.redirect_uri });
      }
    } catch (error) {
      const why = error instanceof BackendUnreachable ? error.message : `an unexpected error (${error.message})`;
      refuse(`The chat could not sign you in: ${why}. Please try again later.`);
    } finally {
      if (!answered) refuse("The chat could not sign you in."); // never leave the SDK waiting
    }
  }

  function codeRequest(codeChallenge) {
    if (!codeChallenge) return {};
    return { code_challenge: codeChallenge, code_challenge_method: "S256" };
  }

  // The flow is a setting of the LivePerson account. With the stand-in the page can ask it; with a
  // real account it is configured on this site (WEB_CLIENT_FLOW).
  function whichFlow() {
    if (config.flow) return Promise.resolve(config.flow);
    return standInConfig().then((settings) => settings.flow);
  }

  // With the stand-in, its account may name another method or context: answer under that name too.
  if (!config.flow && config.livepersonUrl) {
    standInConfig().then((settings) => register(settings.js_context, settings.js_method), () => {});
  }

  // Installs the method as context.name, creating the (dotted) context object when it is missing.
  function register(context, name) {
    let target = window;
    for (const part of (context || "").split(".").filter(Boolean)) {
      target[part] = target[part] || {};
      target = target[part];
    }
    target[name] = getAuthenticationToken;
  }

  // ---------------------------------------------------------------------------------------
  // The visible message (data-testid auth-message): the customer sees why they are anonymous.

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
