/* The account page: who is logged in (GET /api/me, and again whenever that may have changed: see
   brand-session.js), the "Chat with us" button, logout. */
(function () {
  "use strict";

  const { api, currentUser, recheckUser, onUserChange, BackendUnreachable } = window.brand;
  const status = document.querySelector('[data-testid="account-status"]');
  const profile = document.querySelector('[data-testid="account-profile"]');
  const logout = document.querySelector('[data-testid="logout"]');
  const loginLink = document.querySelector('[data-testid="login-link"]');
  const startChat = document.querySelector('[data-testid="start-chat"]');

  function showUser(user) {
    profile.hidden = !user;
    logout.hidden = !user;
    loginLink.hidden = Boolean(user);
    if (!user) {
      status.textContent = "You are not logged in. Log in to see your account, or chat with us as a guest.";
      return;
    }
    status.textContent = `Logged in as ${user.name || user.email}.`;
    for (const field of profile.querySelectorAll("[data-field]")) {
      field.textContent = user[field.dataset.field] || "";
    }
  }

  function showError(error) {
    status.textContent = error instanceof BackendUnreachable
      ? `We cannot check your login right now: ${error.message}.`
      : `We cannot check your login right now (${error.message}).`;
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

  // The backend ends the session; the re-check then tells this page and the chat (liveperson-auth.js).
  logout.addEventListener("click", async () => {
    logout.disabled = true;
    try {
      await api("DELETE", "/api/session");
      await recheckUser();
    } catch (error) {
      showError(error); // unreachable: still logged in, as far as anyone can tell
    }
    logout.disabled = false;
  });

  onUserChange(showUser);
  currentUser().catch(showError);
})();
