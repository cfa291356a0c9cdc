/*
 * The LivePerson Web SDK tag, embedded as a brand embeds it: set lpTag.site and lpTag.section,
 * then load tag.js for the account. With a real account id that is LivePerson's own tag;
 * otherwise the local stand-in's, which serves the same API. Nothing else on the page changes.
 */
(function () {
  "use strict";

  const { config } = window.brand;
  window.lpTag = window.lpTag || {};
  lpTag.site = config.site;
  lpTag.section = config.section;

  const script = document.createElement("script");
  script.src = config.tagUrl;
  script.async = true;
  script.addEventListener("error", () => {
    window.brandChat.showMessage("The chat could not be loaded: the LivePerson tag is unreachable.");
  });
  document.head.appendChild(script);
})();
