// The agent workspace's behaviour (templates/agent.html): polls the agent API
// (shared/liveperson/agent/api.py) for the conversations and the open thread, and replies or
// closes through it. The demo bot's messages and what it did besides (its calls to the brand's
// API, its handover) show in the thread too, each in its own look. Everything a consumer or a
// brand sent is hostile input: it reaches the page through textContent and setAttribute only,
// never as HTML.
"use strict";

(function () {
  const POLL_MS = 1500;
  const API = "/api/agent/conversations";
  const SDE_TITLES = { ctmrinfo: "Customer info", personal: "Personal info" };
  const SDE_MEMBERS = { ctmrinfo: "info", personal: "personal" }; // as in lp_sdes
  const IDENTITY_ROWS = [
    ["customerId", "Customer ID"],
    ["name", "Name"],
    ["userName", "User name"],
    ["email", "Email"],
    ["phone", "Phone"],
    ["gender", "Gender"],
    ["issuer", "Issuer"],
    ["consumerId", "LivePerson consumer ID"],
  ];
  const CLOSED_BY = { AGENT: "by the agent", CONSUMER: "by the consumer", SYSTEM: "by LivePerson" };
  // Who wrote a message, as its stamp says; the consumer's name comes from the conversation.
  const AUTHORS = { agent: "You", bot: "Bot" };
  // Keys come from the brand or the consumer: never let "constructor" or "__proto__" match.
  const lookup = (table, key) => (Object.hasOwn(table, key) ? table[key] : undefined);

  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const ui = {
    connection: byTestId("connection"),
    count: byTestId("conversation-count"),
    empty: byTestId("empty-state"),
    list: byTestId("conversation-list"),
    placeholder: byTestId("thread-placeholder"),
    thread: byTestId("thread"),
    title: byTestId("thread-title"),
    meta: byTestId("thread-meta"),
    close: byTestId("close-conversation"),
    messages: byTestId("messages"),
    closedNote: byTestId("closed-note"),
    composer: byTestId("composer"),
    reply: byTestId("reply-text"),
    send: byTestId("reply-send"),
    error: byTestId("reply-error"),
    sdeCard: byTestId("sde-card"),
    consumerNote: byTestId("consumer-note"),
    identity: byTestId("consumer-identity"),
    sdes: byTestId("consumer-sdes"),
  };

  let selectedId = decodeURIComponent(location.hash.slice(1)) || null;
  let listSignature = null;
  let shown = null; // the thread on screen: {id, lastSequence, signature}

  // -- building elements (text only) -------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function lockIcon() {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5A1 1 0 0 1 13 8v6a1 1 0 0 1-1 1H4a1 1 0 0 1"
      + "-1-1V8a1 1 0 0 1 1-1h.5Zm1.5 0h4V5a2 2 0 1 0-4 0v2Z");
    svg.appendChild(path);
    return svg;
  }

  function badges(conversation, withState) {
    const row = el("span", "badges");
    if (conversation.authenticated) {
      const badge = el("span", "badge secure");
      badge.dataset.testid = "badge-authenticated";
      badge.title = "Authenticated by the brand: the identity below comes from its id_token";
      badge.append(lockIcon(), "Authenticated");
      row.appendChild(badge);
    } // an unauthenticated one says so in its name: "Unauthenticated visitor"
    if (conversation.steppedUp) {
      const badge = el("span", "badge stepped", "Stepped up");
      badge.dataset.testid = "badge-stepped-up";
      badge.title = "Began unauthenticated; the consumer logged in during the conversation";
      row.appendChild(badge);
    }
    if (withState || conversation.state !== "OPEN") {
      const open = conversation.state === "OPEN";
      const badge = el("span", open ? "badge open" : "badge closed", open ? "Open" : "Closed");
      badge.dataset.testid = "badge-state";
      row.appendChild(badge);
    }
    return row;
  }

  // -- wording -----------------------------------------------------------------------------

  function fullName(consumer) {
    return [consumer.firstname, consumer.lastname].filter(Boolean).join(" ");
  }

  function displayName(conversation) {
    const consumer = conversation.consumer || {};
    if (!conversation.authenticated) return "Unauthenticated visitor";
    return fullName(consumer) || consumer.userName || consumer.customerId || "Authenticated customer";
  }

  function subtitle(conversation) {
    const consumer = conversation.consumer || {};
    const who = conversation.authenticated
      ? `Customer ID ${consumer.customerId}`
      : `Consumer ${String(consumer.consumerId || "").slice(0, 8)}`;
    const count = conversation.messages;
    return `${who} · ${conversation.channel} · ${count} message${count === 1 ? "" : "s"}`;
  }

  function clock(iso) {
    if (!iso) return "";
    const moment = new Date(iso);
    const time = moment.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (moment.toDateString() === new Date().toDateString()) return time;
    return `${moment.toLocaleDateString([], { month: "short", day: "numeric" })}, ${time}`;
  }

  // -- the API -----------------------------------------------------------------------------

  async function call(path, options) {
    const response = await fetch(path, Object.assign({ cache: "no-store" }, options || {}));
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null; // an HTML error page from a proxy or a stopped server
    }
    return { ok: response.ok, status: response.status, body: body || {} };
  }

  function setConnection(live) {
    ui.connection.dataset.state = live ? "live" : "down";
    ui.connection.textContent = live ? "Live" : "Stand-in not answering; retrying…";
  }

  // -- conversation list -------------------------------------------------------------------

  function ordered(conversations) {
    // The API lists newest first; open ones go on top, each group keeping that order.
    const open = conversations.filter((c) => c.state === "OPEN");
    return open.concat(conversations.filter((c) => c.state !== "OPEN"));
  }

  function renderList(conversations) {
    const signature = JSON.stringify([conversations, selectedId]);
    if (signature === listSignature) return; // nothing changed: keep focus and scroll
    listSignature = signature;
    const open = conversations.filter((c) => c.state === "OPEN").length;
    ui.count.textContent = conversations.length ? `${open} open · ${conversations.length} in all` : "";
    ui.empty.hidden = conversations.length > 0;
    const items = ordered(conversations).map((conversation) => {
      const item = el("li");
      const button = el("button", "conversation");
      button.type = "button";
      button.dataset.testid = "conversation";
      button.dataset.conversationId = conversation.conversationId;
      button.dataset.state = conversation.state;
      if (conversation.state !== "OPEN") button.classList.add("closed");
      button.setAttribute("aria-current", String(conversation.conversationId === selectedId));
      const top = el("span", "row");
      const name = el("span", "name", displayName(conversation));
      name.dataset.testid = "conversation-name";
      top.append(name, el("span", "when", clock(conversation.openedAt)));
      button.append(top, badges(conversation, false), el("span", "meta", subtitle(conversation)));
      button.addEventListener("click", () => select(conversation.conversationId));
      item.appendChild(button);
      return item;
    });
    // A rebuilt list would drop the keyboard's place: give focus back to the same conversation.
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.conversationId : undefined;
    ui.list.replaceChildren(...items);
    if (focused) {
      const again = items.map((item) => item.firstChild).find((b) => b.dataset.conversationId === focused);
      if (again) again.focus();
    }
  }

  async function refreshList() {
    const answer = await call(API);
    if (!answer.ok || !Array.isArray(answer.body.conversations)) throw new Error(`list: ${answer.status}`);
    renderList(answer.body.conversations);
    if (!selectedId) {
      showPlaceholder(answer.body.conversations.length
        ? "Select a conversation to read it and reply."
        : "Nothing to answer yet: conversations appear on the left as consumers start them.");
    }
    return answer.body.conversations;
  }

  // -- the thread --------------------------------------------------------------------------

  function select(conversationId) {
    if (conversationId === selectedId) return;
    selectedId = conversationId;
    history.replaceState(null, "", `#${encodeURIComponent(conversationId)}`);
    shown = null;
    ui.reply.value = "";
    showError(null);
    listSignature = null; // redraw the list's selection
    tick();
  }

  function showError(message) {
    ui.error.hidden = !message;
    ui.error.textContent = message || "";
  }

  function author(conversation) {
    // The consumer's first name when the brand gave one, as LivePerson's workspace shows it.
    const consumer = conversation.consumer || {};
    if (!conversation.authenticated) return "Visitor";
    return consumer.firstname || consumer.userName || "Customer";
  }

  function messageItem(message) {
    const sender = lookup(AUTHORS, message.from) ? message.from : "consumer";
    const item = el("li", `message from-${sender}`);
    item.dataset.testid = "message";
    item.dataset.from = sender;
    item.dataset.sequence = String(message.sequence);
    const stamp = el("time", "stamp", `${lookup(AUTHORS, sender) || shown.author} · ${clock(message.at)}`);
    stamp.dateTime = message.at;
    stamp.title = message.at;
    item.append(el("div", "bubble", message.text), stamp);
    return item;
  }

  // What the bot did besides speaking: a call to the brand (method, URL, status, what came of
  // it) or its handover to the agent. Shown to the agent only, after the message it answered.
  function activityItem(entry) {
    const call = entry.kind === "api-call";
    const item = el("li", `activity ${call ? "api-call" : "handover"}`);
    item.dataset.testid = "bot-activity";
    item.dataset.kind = call ? "api-call" : "handover";
    item.dataset.after = String(entry.afterSequence);
    item.appendChild(el("span", "activity-label", call ? "Bot · API call" : "Bot · handed over to you"));
    if (call) {
      const line = el("span", "activity-call");
      const status = el("strong", "activity-status", entry.status === null ? "no answer" : entry.status);
      status.dataset.testid = "bot-activity-status";
      const ok = entry.status !== null && entry.status >= 200 && entry.status < 300;
      status.classList.add(ok ? "ok" : "failed");
      line.append(el("code", "", `${entry.method} ${entry.url || ""}`), " → ", status);
      item.appendChild(line);
    }
    if (entry.note) item.appendChild(el("span", "activity-note", entry.note));
    const stamp = el("time", "stamp", clock(entry.at));
    stamp.dateTime = entry.at;
    item.appendChild(stamp);
    return item;
  }

  function nearBottom(list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function appendMessages(messages) {
    const list = ui.messages;
    const follow = nearBottom(list);
    const fresh = messages.filter((m) => m.sequence > shown.lastSequence);
    if (!fresh.length) return;
    const placeholder = list.querySelector(".none");
    if (placeholder) placeholder.remove();
    for (const message of fresh) list.appendChild(messageItem(message));
    shown.lastSequence = fresh[fresh.length - 1].sequence;
    if (follow || fresh.some((m) => m.from === "agent")) list.scrollTop = list.scrollHeight;
  }

  function insertActivity(entries) {
    const list = ui.messages;
    const fresh = (Array.isArray(entries) ? entries : []).slice(shown.activityCount);
    if (!fresh.length) return;
    const follow = nearBottom(list);
    for (const entry of fresh) {
      // Before the first message that came after the one it answered; at the end if none has.
      const next = [...list.querySelectorAll("[data-testid=message]")]
        .find((node) => Number(node.dataset.sequence) > entry.afterSequence);
      list.insertBefore(activityItem(entry), next || null);
    }
    shown.activityCount += fresh.length;
    if (follow) list.scrollTop = list.scrollHeight;
  }

  function renderHeader(conversation) {
    const open = conversation.state === "OPEN";
    const title = el("span", "", displayName(conversation));
    ui.title.replaceChildren(title, badges(conversation, true));
    const consumer = conversation.consumer || {};
    const parts = [`Opened ${clock(conversation.openedAt)} via ${conversation.channel}`];
    if (conversation.authenticated) parts.push(`Customer ID ${consumer.customerId}`);
    const by = lookup(CLOSED_BY, conversation.closeReason);
    if (!open) parts.push(["Closed", clock(conversation.closedAt), by].filter(Boolean).join(" "));
    ui.meta.textContent = parts.join(" · ");
    // Closed: read-only, as in LivePerson's workspace.
    ui.close.hidden = !open;
    ui.composer.hidden = !open;
    ui.closedNote.hidden = open;
    if (!open) {
      const when = clock(conversation.closedAt);
      ui.closedNote.textContent = `${["This conversation was closed", by, when && `at ${when}`]
        .filter(Boolean).join(" ")}; it is read-only.`;
      showError(null);
    }
  }

  function renderDetails(conversation) {
    const consumer = conversation.consumer || {};
    ui.sdeCard.hidden = false;
    if (!conversation.authenticated) {
      ui.consumerNote.textContent = "Not authenticated: the brand has not identified this consumer, "
        + "so LivePerson knows only its consumer ID.";
    } else if (conversation.steppedUp) {
      ui.consumerNote.textContent = "Stepped up: the conversation began unauthenticated and the "
        + "consumer logged in during it; the identity below is the brand's.";
    } else {
      ui.consumerNote.textContent = "";
    }
    const values = Object.assign({}, consumer, { name: fullName(consumer) });
    const rows = [];
    for (const [key, label] of IDENTITY_ROWS) {
      const value = values[key];
      if (value === undefined || value === null || value === "") continue;
      const term = el("dt", "", label);
      const detail = el("dd", "", value);
      detail.dataset.field = key;
      if (key === "issuer" || key === "consumerId") detail.classList.add("mono");
      rows.push(term, detail);
    }
    ui.identity.replaceChildren(...rows);
    renderSdes(conversation.sdes);
  }

  function flatten(value, path, rows, depth) {
    // Nested attributes (contacts, dates) become one row each: "contacts[0].email".
    if (value !== null && typeof value === "object" && depth < 6) {
      const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v])
        : Object.keys(value).map((k) => [path ? `.${k}` : k, value[k]]);
      for (const [key, inner] of entries) flatten(inner, path + key, rows, depth + 1);
      if (!entries.length) rows.push([path, Array.isArray(value) ? "[]" : "{}"]);
      return rows;
    }
    rows.push([path, typeof value === "string" ? value : JSON.stringify(value)]);
    return rows;
  }

  function renderSdes(sdes) {
    const list = Array.isArray(sdes) ? sdes : [];
    if (!list.length) {
      ui.sdes.replaceChildren(el("p", "note", "The brand sent no engagement attributes (lp_sdes)."));
      return;
    }
    const blocks = list.map((sde) => {
      const block = el("section", "sde");
      block.dataset.testid = "sde";
      const isObject = sde !== null && typeof sde === "object" && !Array.isArray(sde);
      const type = isObject && sde.type != null ? String(sde.type) : "?";
      const heading = el("h4", "", `${lookup(SDE_TITLES, type) || "Engagement attribute"} `);
      heading.appendChild(el("code", "", type));
      const member = lookup(SDE_MEMBERS, type);
      let attributes = sde;
      if (isObject && member && sde[member] !== null && typeof sde[member] === "object") {
        attributes = sde[member];
      } else if (isObject) {
        // fromEntries keeps a "__proto__" key as data, where Object.assign would not.
        attributes = Object.fromEntries(Object.entries(sde).filter(([key]) => key !== "type"));
      }
      const rows = flatten(attributes, "", [], 0);
      const table = el("dl");
      for (const [key, value] of rows) table.append(el("dt", "", key), el("dd", "", value));
      block.append(heading, table);
      return block;
    });
    ui.sdes.replaceChildren(...blocks);
  }

  function renderThread(conversation) {
    ui.placeholder.hidden = true;
    ui.thread.hidden = false;
    if (!shown || shown.id !== conversation.conversationId) {
      shown = {
        id: conversation.conversationId, lastSequence: -1, activityCount: 0, signature: null, author: "",
      };
      ui.messages.replaceChildren();
      if (!conversation.messages.length) ui.messages.appendChild(el("li", "none", "No messages yet."));
    }
    const { messages, botActivity, ...rest } = conversation;
    const signature = JSON.stringify(rest);
    if (signature !== shown.signature) {
      shown.signature = signature;
      shown.author = author(conversation); // for messages from now on (a step-up names the consumer)
      renderHeader(conversation);
      renderDetails(conversation);
    }
    appendMessages(messages);
    insertActivity(botActivity);
  }

  function showPlaceholder(text) {
    ui.placeholder.hidden = false;
    ui.placeholder.firstElementChild.textContent = text;
    ui.thread.hidden = true;
    ui.consumerNote.textContent = "The identity and engagement attributes of the selected "
      + "conversation's consumer appear here.";
    ui.identity.replaceChildren();
    ui.sdeCard.hidden = true;
    shown = null;
  }

  async function refreshThread() {
    if (!selectedId) return;
    const asked = selectedId;
    const answer = await call(`${API}/${encodeURIComponent(asked)}`);
    if (asked !== selectedId) return; // another conversation was selected meanwhile
    if (answer.status === 404) {
      showPlaceholder("That conversation is not on this stand-in. Select one on the left.");
      return;
    }
    if (!answer.ok) throw new Error(`thread: ${answer.status}`);
    renderThread(answer.body);
  }

  // -- acting ------------------------------------------------------------------------------

  async function send() {
    const text = ui.reply.value;
    if (!text.trim() || !shown || ui.send.disabled) return;
    const conversationId = shown.id;
    ui.send.disabled = true;
    try {
      const answer = await call(`${API}/${encodeURIComponent(conversationId)}/messages`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text }),
      });
      if (answer.status === 201) {
        ui.reply.value = "";
        showError(null);
        if (shown && shown.id === conversationId) appendMessages([answer.body]);
      } else {
        showError(answer.body.message || `The stand-in answered ${answer.status}.`);
      }
      await tick();
    } catch (_) {
      showError("The stand-in did not answer; the reply was not sent.");
    } finally {
      ui.send.disabled = false;
      ui.reply.focus();
    }
  }

  async function closeConversation() {
    if (!shown) return;
    ui.close.disabled = true;
    try {
      const answer = await call(`${API}/${encodeURIComponent(shown.id)}/close`, { method: "POST" });
      if (!answer.ok && answer.status !== 409) {
        showError(answer.body.message || `The stand-in answered ${answer.status}.`);
      }
      await tick();
    } catch (_) {
      showError("The stand-in did not answer; the conversation is still open.");
    } finally {
      ui.close.disabled = false;
    }
  }

  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  ui.reply.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter is a new line; not while an IME is composing a character.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  ui.close.addEventListener("click", closeConversation);

  // -- polling -----------------------------------------------------------------------------

  async function tick() {
    try {
      await refreshList();
      await refreshThread();
      setConnection(true);
    } catch (_) {
      setConnection(false);
    }
  }

  // One polling loop; a hidden tab stops it, and showing the tab again restarts it at once.
  let polling = false;

  async function poll() {
    polling = true;
    await tick();
    polling = false;
    if (!document.hidden) {
      polling = true;
      setTimeout(poll, POLL_MS);
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !polling) poll();
  });

  if (!selectedId) showPlaceholder("Loading the conversations…");
  poll();
})();
