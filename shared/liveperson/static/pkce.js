/*
 * Random values and RFC 7636's S256 code challenge, shared by the tag and the pop-out window.
 * /tag/tag.js serves this file in front of lptag.js, so a brand page still loads one script;
 * window.html loads it before window.js.
 */
var lpStandInCrypto = (function () {
  "use strict";

  function base64url(bytes) {
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomUrlSafe(byteCount) {
    const bytes = new Uint8Array(byteCount);
    crypto.getRandomValues(bytes);
    return base64url(bytes);
  }

  // BASE64URL(SHA256(verifier)), RFC 7636 §4.2.
  async function s256(verifier) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    return base64url(new Uint8Array(digest));
  }

  return { randomUrlSafe, s256 };
})();
