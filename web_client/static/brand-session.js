/*
 * The brand's own session, shared by every page: where the backend is, and who is logged in.
 *
 * Who is logged in can change while a page stays open: a logout on this page, a login inside
 * LivePerson's popped-out chat window (the backend's login page, so the same login cookie), a
 * login or logout in another tab. The page re-checks (recheckUser) when it is shown again (focus,
 * visibilitychange: that covers every case, LivePerson's real pop-out included, which tells the
 * page nothing), and when told of a login (liveperson-auth.js: the stand-in's pop-out does tell).
 * onUserChange(fn) hears who is logged in, then each change, so the page updates without a reload.
 *
 * The backend lives on another origin than this site. Its login cookie goes along with
 * `credentials: "include"`, and the backend answers only origins listed in its BACKEND_CORS_ORIGINS.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("brand-config").textContent);
  const REQUEST_TIMEOUT_MS = 8000; // below the Web SDK's own wait, so the chat hears our reason first

  class BackendUnreachable extends Error {}

  // One call to the backend's JSON API. Resolves {status, body} for every HTTP answer; rejects with
  // BackendUnreachable when there is none (server down, network error, CORS refusal, timeout).
  async function api(method, path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const options = { method, credentials: "include", signal: controller.signal, headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json"; // the backend takes JSON bodies only
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(config.backendUrl + path, options);
    } catch (error) {
      throw new BackendUnreachable(
        controller.signal.aborted ? "the login service did not answer in time" : "the login service is unreachable",
      );
    } finally {
      clearTimeout(timer);
    }
    const text = await response.text().catch(() => "");
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed };
  }

  // The error text the backend gave, or a generic one.
  function describe(result) {
    const body = result.body || {};
    return body.error_description || body.error || `the login service answered HTTP ${result.status}`;
  }

  // Who is logged in: the profile, null when nobody is, asked once and again at each re-check.
  // Rejects with BackendUnreachable when the backend cannot say.
  let current = null;
  let known; // the last answer (a profile or null); undefined before the first
  function currentUser() {
    if (!current) {
      current = api("GET", "/api/me").then((result) => {
        if (result.status === 200 && result.body && result.body.sub) return result.body;
        if (result.status === 401) return null;
        throw new BackendUnreachable(describe(result));
      });
      current.then((user) => {
        const before = known;
        known = user;
        const sub = (someone) => (someone ? someone.sub : null);
        if (before === undefined || sub(before) !== sub(user)) {
          for (const fn of watchers) fn(user, before);
        }
      }, () => {
        current = null; // ask again next time rather than remembering an outage
      });
    }
    return current;
  }

  function forgetUser() {
    current = null;
  }

  // fn(user, before): the first answer (before undefined), then each change of customer.
  const watchers = [];
  function onUserChange(fn) {
    watchers.push(fn);
    if (known !== undefined) fn(known, undefined); // answered before this script subscribed
  }

  // Asks the backend again; the watchers hear it if someone else is logged in now. Resolves with
  // the user; rejects with BackendUnreachable (what the page knew stays as it was).
  function recheckUser() {
    forgetUser();
    return currentUser();
  }

  function recheckQuietly() {
    recheckUser().catch(() => {}); // the page goes on with what it knew; the next check may answer
  }
  window.addEventListener("focus", recheckQuietly);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") recheckQuietly();
  });

  // The local stand-in's settings for its account (account id, flow, method name), asked once;
  // null with a real LivePerson account, whose settings this site is configured with.
  let standIn = null;
  function standInConfig() {
    if (!config.livepersonUrl) return Promise.resolve(null);
    if (!standIn) {
      standIn = fetch(config.livepersonUrl + "/api/config").then((response) => {
        if (!response.ok) throw new BackendUnreachable("the LivePerson stand-in gave no configuration");
        return response.json();
      });
      standIn.catch(() => {
        standIn = null;
      });
    }
    return standIn;
  }

  window.brand = {
    config, api, describe, currentUser, forgetUser, recheckUser, recheckQuietly, onUserChange, standInConfig,
    BackendUnreachable,
  };
})();
