/* The login page: POST /api/session on the backend from the browser; the backend sets its cookie. */
(function () {
  "use strict";

  const { api, describe, forgetUser, BackendUnreachable } = window.brand;
  const form = document.getElementById("login-form");
  const error = document.querySelector('[data-testid="login-error"]');
  const submit = document.querySelector('[data-testid="login-submit"]');

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      const result = await api("POST", "/api/session", {
        email: form.elements.email.value,
        password: form.elements.password.value,
      });
      if (result.status === 200) {
        forgetUser();
        location.assign("/account");
        return;
      }
      showError(result.status === 401 ? "Wrong email or password." : describe(result));
    } catch (failure) {
      showError(failure instanceof BackendUnreachable
        ? `Cannot log in right now: ${failure.message}.`
        : `Cannot log in: ${failure.message}`);
    }
    submit.disabled = false;
  });

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
  }
})();
