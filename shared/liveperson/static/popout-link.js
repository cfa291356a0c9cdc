/*
 * What the embedded window (lptag.js, on the brand's page) and the popped-out window (window.js,
 * on the stand-in's origin) tell each other, so that both hold the same visitor's conversation.
 * /tag/tag.js serves this file in front of lptag.js; window.html loads it before window.js.
 *
 * Why window.postMessage: the two windows are on different origins, so they share no storage
 * (and a frame of the stand-in's origin on the brand's page would not help: browsers partition
 * its storage by the top-level site). The pop-out has `window.opener`, and the tag may answer
 * whatever window speaks to it. Both sides check the origin strictly, both ways:
 *   - the pop-out speaks only to the origin it sends the brand as `parentWindowOrigin`, and
 *     listens only to `window.opener` at that origin;
 *   - the tag listens only to the stand-in's origin (the origin of its own script) and answers
 *     only to that origin, so a guest's token never reaches any other page.
 * What travels is a guest's LivePerson token, never a customer's: the pop-out authenticates a
 * customer only through the brand (the redirect to its authorization endpoint).
 *
 * The messages, each `{type, ...}`:
 *   HELLO      pop-out → tag   "who chats here?", sent at start and then every POLL_MS: the tag
 *                              cannot find the window again after the brand's page has loaded
 *                              anew (window.open would open another), so the window keeps asking.
 *   VISITOR    tag → pop-out   the answer: {since, guestToken} for a guest, {since, customerId} for
 *                              a customer, {pending: true} while the tag is signing in, {none: true}
 *                              without an open chat. `since` (ms) is when that visitor became the
 *                              tag's: the pop-out follows a visitor newer than its own, and only once.
 *   LOGGED_IN  pop-out → tag   the visitor logged in inside the pop-out: the tag's guest is spent
 *                              (step-up) and the brand's page may learn of the login without a reload.
 */
var lpStandInPopoutLink = (function () {
  "use strict";

  const HELLO = "lpsi.popout.hello";
  const VISITOR = "lpsi.popout.visitor";
  const LOGGED_IN = "lpsi.popout.loggedIn";
  const POLL_MS = 1000;

  function send(target, origin, type, body) {
    if (!target || target.closed || !origin) return;
    target.postMessage(Object.assign({ type }, body), origin);
  }

  // Calls handlers[type](data, event) for a message `trusted(event)` accepts; ignores the rest.
  function listen(trusted, handlers) {
    window.addEventListener("message", (event) => {
      const data = event.data;
      if (!data || typeof data !== "object" || !Object.hasOwn(handlers, data.type)) return;
      if (!trusted(event)) return;
      handlers[data.type](data, event);
    });
  }

  return { HELLO, VISITOR, LOGGED_IN, POLL_MS, send, listen };
})();
