/*
 * The brand's own session, shared by every page: where the backend is, and who is logged in.
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
        controller.signal.aborted ? "the sign-in service did not answer in time" : "the sign-in service is unreachable",
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
    return body.error_description || body.error || `the sign-in service answered HTTP ${result.status}`;
  }

  // Who is logged in: the profile, null when nobody is, asked once per page (and after login/logout).
  // Rejects with BackendUnreachable when the backend cannot say.
  let current = null;
  function currentUser() {
    if (!current) {
      current = api("GET", "/api/me").then((result) => {
        if (result.status === 200 && result.body && result.body.sub) return result.body;
        if (result.status === 401) return null;
        throw new BackendUnreachable(describe(result));
      });
      current.catch(() => {
        current = null; // ask again next time rather than remembering an outage
      });
    }
    return current;
  }

  function forgetUser() {
    current = null;
  }

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

  window.brand = { config, api, describe, currentUser, forgetUser, standInConfig, BackendUnreachable };
})();
