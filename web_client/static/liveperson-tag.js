/*
 * The LivePerson Web SDK tag, embedded as a brand embeds it: set lpTag.site and lpTag.section,
 * then load tag.js for the account. With a real account id that is LivePerson's own tag;
 * otherwise the local stand-in's, for the account the stand-in says it serves. Nothing else on
 * the page changes.
 */
(function () {
  "use strict";

  const { config, standInConfig } = window.brand;

  function load(site, src) {
    window.lpTag = window.lpTag || {};
    lpTag.site = site;
    lpTag.section = config.section;
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.addEventListener("error", unreachable);
    document.head.appendChild(script);
  }

  function unreachable() {
    window.brandChat.showMessage("The chat could not be loaded: the LivePerson tag is unreachable.");
  }

  if (config.tagUrl) {
    load(config.site, config.tagUrl);
  } else {
    // The stand-in serves one account, which it names: ask it, as the page would know its own.
    standInConfig().then((settings) => {
      const site = encodeURIComponent(settings.account);
      load(settings.account, `${config.livepersonUrl}/tag/tag.js?site=${site}`);
    }, unreachable);
  }
})();
