/* The account page: who is logged in (GET /api/me), the "Chat with us" button, logout. */
(function () {
  "use strict";

  const { api, currentUser, forgetUser, BackendUnreachable } = window.brand;
  const status = document.querySelector('[data-testid="account-status"]');
  const profile = document.querySelector('[data-testid="account-profile"]');
  const logout = document.querySelector('[data-testid="logout"]');
  const loginLink = document.querySelector('[data-testid="login-link"]');
  const startChat = document.querySelector('[data-testid="start-chat"]');

  async function showUser() {
    let user = null;
    try {
      user = await currentUser();
    } catch (error) {
      status.textContent = error instanceof BackendUnreachable
        ? `We cannot check your login right now: ${error.message}.`
        : `We cannot check your login right now (${error.message}).`;
      return;
    }
    profile.hidden = !user;
    logout.hidden = !user;
    loginLink.hidden = Boolean(user);
    if (!user) {
      status.textContent = "You are not logged in. You can still chat, as an anonymous visitor.";
      return;
    }
    status.textContent = `Logged in as ${user.name || user.email}.`;
    for (const field of profile.querySelectorAll("[data-field]")) {
      field.textContent = user[field.dataset.field] || "";
    }
  }

  // The stand-in's tag opens its window with lpTag.openChat(); LivePerson's own tag opens it from an
  // engagement, whose button LivePerson renders, and exposes the same click as rendererStub.
  startChat.addEventListener("click", () => {
    if (!window.lpTag || !(lpTag.openChat || (lpTag.taglets && lpTag.taglets.rendererStub))) {
      window.brandChat.showMessage("The chat is not loaded yet. Please try again in a moment.");
      return;
    }
    if (lpTag.openChat) lpTag.openChat();
    else lpTag.taglets.rendererStub.click();
  });

  logout.addEventListener("click", async () => {
    logout.disabled = true;
    try {
      await api("DELETE", "/api/session");
    } catch {
      // Unreachable: the page forgets the user anyway; the backend's session expires on its own.
    }
    forgetUser();
    logout.disabled = false;
    await showUser();
    // Without a page load the SDK must be told the visitor changed, so it asks the identity again.
    if (window.lpTag && typeof lpTag.newPage === "function") lpTag.newPage(location.href, { section: lpTag.section });
  });

  showUser();
})();
