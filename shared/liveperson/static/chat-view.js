/*
 * The conversation as the visitor sees it, in the embedded window (lptag.js) and the pop-out
 * (window.js) alike: who they chat as, the thread, a text box with Send, the connection's state,
 * and the end of the conversation with a way to start another. It listens to a messaging.js
 * session; it holds no protocol of its own. /tag/tag.js serves this file in front of lptag.js;
 * window.html loads it.
 *
 * Text only, never HTML: messages come from the agent and the visitor, reasons from the server.
 * The one element made of a message is a link, for an http(s) address in it (the bot's
 * verification link): its address is checked to be http or https, it shows the address's host and
 * path (as text; the whole address in its title), and it opens in a new window that cannot reach
 * back to this one (rel="noopener noreferrer").
 */
var lpStandInChatView = (function () {
  "use strict";

  const CONNECTION_TEXT = {
    connecting: "Connecting…",
    reconnecting: "The connection dropped: reconnecting…",
    renewing: "Your login expired: renewing it…",
    failed: "The chat is disconnected",
  };

  // Who the visitor chats as, in the words of the brand's site ("Log in", "guest"): one sentence
  // for both windows. A guest is a normal state, not an error, and is styled as such (chat.css).
  const GUEST_TEXT = "You are chatting as a guest. Log in to chat as yourself.";

  // `status`: the window's chat-status element; data-state is what tests wait on.
  function showVisitor(status, customerId) {
    status.dataset.state = customerId === null ? "unauthenticated" : "authenticated";
    status.textContent = customerId === null ? GUEST_TEXT : `Authenticated as ${customerId}`;
  }

  function element(tag, attributes, content) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (Array.isArray(content)) node.append(...content);
    else if (content !== undefined) node.textContent = content;
    return node;
  }

  // The view's root, hidden until the session has a conversation to show.
  function create(session) {
    // chat-messages is the scrolling thread, there from the start (the "no messages yet" line
    // inside it until the first message); chat-thread is the list of messages in it.
    const thread = element("ol", { class: "lpsi-list", "data-testid": "chat-thread", hidden: "" });
    const empty = element("p", { class: "lpsi-empty", "data-testid": "chat-empty" },
      "No messages yet. Write below and an agent will answer here.");
    const messages = element("div", {
      class: "lpsi-thread", "data-testid": "chat-messages", role: "log", "aria-label": "Messages",
      "aria-live": "polite",
    }, [thread, empty]);
    const connection = element("p", {
      class: "lpsi-connection", "data-testid": "chat-connection", "data-state": "connecting", role: "status",
    }, CONNECTION_TEXT.connecting);
    const input = element("textarea", {
      class: "lpsi-input", "data-testid": "chat-input", rows: "2", maxlength: "10000",
      "aria-label": "Your message", placeholder: "Type your message",
    });
    const send = element("button", { type: "submit", class: "lpsi-send", "data-testid": "chat-send" }, "Send");
    const error = element("p", { class: "lpsi-error", "data-testid": "chat-error", role: "alert", hidden: "" });
    const composer = element("form", { class: "lpsi-composer", "data-testid": "chat-composer" }, [input, send]);
    const again = element("button", { type: "button", class: "lpsi-button", "data-testid": "chat-new" },
      "Start a new conversation");
    const ended = element("div", { class: "lpsi-ended", "data-testid": "chat-ended", hidden: "" }, [
      element("p", {}, "This conversation has ended."), again,
    ]);
    const root = element("div", { class: "lpsi-chat", hidden: "" }, [messages, connection, ended, composer, error]);

    let sending = false;
    const showError = (text) => {
      error.hidden = !text;
      error.textContent = text || "";
    };
    const usable = () => {
      const live = connection.dataset.state === "live" && ended.hidden;
      input.disabled = !live;
      send.disabled = !live || sending;
    };

    session.on("conversation", () => {
      root.hidden = false;
      ended.hidden = true;
      composer.hidden = false;
      usable();
    });
    session.on("messages", (list) => {
      thread.replaceChildren(...list.map(messageItem));
      thread.hidden = list.length === 0;
      empty.hidden = list.length > 0;
      messages.scrollTop = messages.scrollHeight;
    });
    session.on("ended", () => {
      ended.hidden = false;
      composer.hidden = true;
      usable();
    });
    session.on("connection", (state, reason) => {
      connection.dataset.state = state;
      connection.hidden = state === "live";
      connection.textContent = state === "failed" && reason
        ? `${CONNECTION_TEXT.failed}: ${reason}`
        : CONNECTION_TEXT[state] || "";
      usable();
    });

    composer.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value;
      if (!text.trim() || sending) return;
      sending = true;
      usable();
      try {
        await session.send(text);
        input.value = "";
        showError(null);
      } catch (failure) {
        showError(`Not sent: ${failure.message}`); // the text stays in the box, to send again
      }
      sending = false;
      usable();
      input.focus();
    });
    // Enter sends, Shift+Enter starts a new line; not while an input method is composing a character.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    again.addEventListener("click", async () => {
      again.disabled = true;
      try {
        await session.newConversation();
        showError(null);
      } catch (failure) {
        showError(`No new conversation: ${failure.message}`);
      }
      again.disabled = false;
    });

    return { root, input };
  }

  // A candidate address runs to the next space or quote; punctuation ending a sentence after it
  // ("open https://brand.example/login.") stays text.
  const ADDRESS = /https?:\/\/[^\s<>"']+/g;
  const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

  // What a link shows of its address: where it goes, without a query of hundreds of characters.
  function shortAddress(address) {
    const path = address.pathname === "/" ? "" : address.pathname;
    return `${address.host}${path}${address.search || address.hash ? "…" : ""}`;
  }

  // The message's text, as text nodes and, for each http(s) address, a link.
  function linked(text) {
    const nodes = [];
    let shownUpTo = 0;
    for (const match of text.matchAll(ADDRESS)) {
      const candidate = match[0].replace(TRAILING_PUNCTUATION, "");
      let address = null;
      try {
        address = new URL(candidate);
      } catch (_) {
        continue; // not an address after all: it stays text
      }
      if (address.protocol !== "http:" && address.protocol !== "https:") continue;
      nodes.push(text.slice(shownUpTo, match.index), element("a", {
        href: address.href, title: address.href, target: "_blank", rel: "noopener noreferrer",
        "data-testid": "chat-link",
      }, shortAddress(address)));
      shownUpTo = match.index + candidate.length;
    }
    nodes.push(text.slice(shownUpTo));
    return nodes;
  }

  function messageItem(message) {
    const fromConsumer = message.fromConsumer;
    return element("li", {
      class: `lpsi-message lpsi-message--${fromConsumer ? "consumer" : "agent"}`,
      "data-testid": "chat-message",
      "data-sequence": String(message.sequence),
      "data-from": fromConsumer ? "consumer" : "agent",
    }, [
      element("span", { class: "lpsi-sender" }, fromConsumer ? "You" : "Agent"),
      element("p", { class: "lpsi-text" }, linked(message.text)),
    ]);
  }

  return { create, element, showVisitor };
})();
