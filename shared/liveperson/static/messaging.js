/*
 * LivePerson's consumer API as the Web SDK speaks it ("Messaging Window API"), shared by the tag
 * (lptag.js) and the pop-out window (window.js). /tag/tag.js serves this file in front of lptag.js;
 * window.html loads it before window.js.
 *
 * The IdP: `authenticate` hands over the brand's code or JWT (both as `authCode`) and `signup` makes
 * a guest; each answers `{"jwt"}`, the consumer token. A refusal is LivePerson's body,
 * `{internalErrorCode, error, message, check}`, thrown as a `Refusal` whose message says all of it,
 * ready to show: "Authentication failed: 9011 Customer authentication failed: <why>".
 *
 * The session: one WebSocket per consumer token. Browsers cannot set its headers, so the token goes in
 * `InitConnection`; then the consumer's open conversation (or a new one) and its messages, kept by
 * sequence. The socket's close code (or, when the close frame was lost, the token's own `exp`) says
 * what to do: 4401, the brand must hand over a fresh code or JWT (the host's `reauthenticate`, which
 * then calls `connect` with the new token); 4407, the guest identity is extended at signup; anything
 * else, reconnect after a pause. The same consumer, so the same conversation, goes on after each.
 * A GetClock every 30 s keeps the socket from closing as idle.
 *
 * Listeners (`session.on(name, fn)`): "connection" (state, reason): connecting | live | reconnecting |
 * renewing | failed; "conversation" (id); "messages" (the whole thread, in order); "ended" (the
 * conversation closed); "token" (token): the session extended a guest's token itself.
 */
var lpStandInMessaging = (function () {
  "use strict";

  const KEEP_ALIVE_MS = 30000; // the server closes a socket after 60 s without a frame
  const RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10000, 30000]; // then every 30 s
  const TOKEN_EXPIRED = 4401;
  const GUEST_EXPIRED = 4407;
  const CLIENT_PROPERTIES = {
    type: ".ams.headers.ClientProperties", deviceFamily: "DESKTOP", os: "OTHER", integration: "WEB_SDK",
  };

  // ---------------------------------------------------------------------------------------
  // The IdP

  class Refusal extends Error {
    constructor(what, status, body) {
      const given = body && typeof body === "object" ? body : {};
      const name = [given.internalErrorCode, given.error].filter(Boolean).join(" ") || `HTTP ${status}`;
      super(`${what} failed: ${name}: ${given.message || "no reason given"}`);
      this.status = status;
      this.check = given.check || null;
    }
  }

  async function idp(standIn, account, path, body, token) {
    const headers = {};
    if (body) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `jwt ${token}`;
    let response;
    try {
      response = await fetch(`${standIn}/api/account/${encodeURIComponent(account)}/${path}`, {
        method: "POST", mode: "cors", headers, body: body ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      throw new Error(`The LivePerson stand-in is unreachable (${error.message}).`);
    }
    const answer = await response.json().catch(() => null);
    if (!response.ok || !answer || typeof answer.jwt !== "string") {
      throw new Refusal(path === "signup" ? "Guest sign-up" : "Authentication", response.status, answer);
    }
    return answer.jwt;
  }

  // A guest's token, or a new guest's when none is given. An expired one is extended: the same
  // consumer, so the same conversation.
  function signup(standIn, account, guestToken) {
    return idp(standIn, account, "signup", null, guestToken);
  }

  // `handover`: {authCode, redirect_uri, code_verifier, channel}. With a guest's token this is
  // step-up: the guest's open conversation becomes the customer's. The IdP checks that token before
  // it calls the brand: an expired one is extended first, so the guest keeps their conversation, and
  // one it refuses (issued by another stand-in, say) is left out, the code being still unspent.
  async function authenticate(standIn, account, handover, guestToken) {
    if (guestToken && readToken(guestToken).expiresAt * 1000 <= Date.now()) {
      guestToken = await signup(standIn, account, guestToken).catch(() => null);
    }
    try {
      return await idp(standIn, account, "authenticate", handover, guestToken);
    } catch (error) {
      if (!guestToken || !(error instanceof Refusal) || error.check !== "step-up") throw error;
      return idp(standIn, account, "authenticate", handover, null);
    }
  }

  // The consumer token's claims, read without verifying (the client has no key and needs none):
  // LivePerson's consumer id, the brand's customer id (`lp.ext.sub`, authenticated consumers only)
  // and the expiry.
  function readToken(token) {
    try {
      const bytes = Uint8Array.from(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")),
        (c) => c.charCodeAt(0));
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      const external = claims["lp.ext"] || {};
      return {
        consumerId: claims.sub,
        customerId: typeof external.sub === "string" ? external.sub : null,
        expiresAt: Number(claims.exp) || 0,
      };
    } catch {
      return { consumerId: null, customerId: null, expiresAt: 0 };
    }
  }

  // ---------------------------------------------------------------------------------------
  // One WebSocket: requests matched to their responses by id, notifications passed on.

  class Socket {
    constructor(url, onNotification, onClose) {
      this.ws = new WebSocket(url);
      this.nextId = 0; // InitConnection goes first, as request "0"
      this.pending = new Map();
      this.opened = new Promise((resolve) => this.ws.addEventListener("open", resolve));
      this.ws.addEventListener("message", (event) => {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return;
        }
        if (frame.kind === "resp" && this.pending.has(frame.reqId)) {
          this.pending.get(frame.reqId)(frame);
          this.pending.delete(frame.reqId);
        } else if (frame.kind === "notification") {
          onNotification(frame);
        }
      });
      this.ws.addEventListener("close", (event) => {
        clearInterval(this.keepAlive);
        for (const resolve of this.pending.values()) resolve({ code: 0, body: "The connection closed." });
        this.pending.clear();
        onClose(event.code, event.reason);
      });
      this.opened.then(() => {
        this.keepAlive = setInterval(() => this.request("GetClock"), KEEP_ALIVE_MS);
      });
    }

    // Resolves with the response frame: `code` is HTTP's, `body` the answer or the reason.
    request(type, body, headers) {
      const id = String(this.nextId++);
      const frame = { kind: "req", id, type };
      if (body !== undefined) frame.body = body;
      if (headers) frame.headers = headers;
      return new Promise((resolve) => {
        this.pending.set(id, resolve);
        this.ws.send(JSON.stringify(frame));
      });
    }

    close() {
      this.ws.close(1000);
    }
  }

  // ---------------------------------------------------------------------------------------
  // The session

  class Session {
    // `reauthenticate(reason)`: the token expired (4401); the host asks the brand again, in its
    // own way (the page's method, a redirect), and connects with the new token.
    constructor({ standIn, account, reauthenticate }) {
      this.standIn = standIn;
      this.account = account;
      this.url = `${standIn.replace(/^http/, "ws")}/ws_api/account/${encodeURIComponent(account)}` +
        "/messaging/consumer?v=3";
      this.reauthenticate = reauthenticate;
      this.listeners = {};
      this.socket = null;
      this.token = null;
      this.generation = 0; // bumped by every connect and disconnect: what an older one awaited is dropped
      this.failures = 0;
      this.retryTimer = null;
      this.conversationId = null;
      this.messages = new Map(); // sequence -> message
      this.ended = false;
      this.live = false;
      this.listing = null; // resolves with the first conversation list after subscribing
    }

    on(name, fn) {
      (this.listeners[name] = this.listeners[name] || []).push(fn);
    }

    emit(name, ...args) {
      for (const fn of this.listeners[name] || []) fn(...args);
    }

    // (Re)connects as the holder of `token`; the consumer's open conversation is picked up again.
    connect(token) {
      this.token = token;
      this.failures = 0;
      this.open();
    }

    disconnect() {
      this.generation += 1;
      clearTimeout(this.retryTimer);
      this.drop();
    }

    async send(text) {
      if (!this.live || this.ended) throw new Error("Not connected: wait a moment, then send again.");
      const answer = await this.socket.request("ms.PublishEvent", {
        dialogId: this.conversationId,
        event: { type: "ContentEvent", contentType: "text/plain", message: text },
      });
      if (answer.code !== 200) throw new Error(reasonOf(answer));
    }

    async newConversation() {
      if (!this.live) throw new Error("Not connected: wait a moment, then try again.");
      const socket = this.socket;
      const answer = await socket.request("cm.ConsumerRequestConversation", {});
      if (answer.code !== 200) throw new Error(reasonOf(answer));
      await this.follow(socket, answer.body.conversationId);
    }

    // -- connecting

    open() {
      this.drop();
      clearTimeout(this.retryTimer);
      const generation = ++this.generation;
      const socket = new Socket(
        this.url,
        (frame) => socket === this.socket && this.notified(frame),
        (code, reason) => socket === this.socket && this.closed(generation, socket, code, reason),
      );
      this.socket = socket;
      this.emit("connection", "connecting");
      this.setUp(socket).catch((error) => {
        if (socket !== this.socket) return;
        this.emit("connection", "failed", error.message);
        this.drop();
      });
    }

    drop() {
      const socket = this.socket;
      this.socket = null;
      this.live = false;
      if (socket) socket.close();
    }

    async setUp(socket) {
      await socket.opened;
      const init = await socket.request("InitConnection", undefined, [
        CLIENT_PROPERTIES, { type: ".ams.headers.ConsumerAuthentication", jwt: this.token },
      ]);
      // Refused: the server closes the socket with 4401 or 4407, and closed() acts on it.
      if (init.code !== 200) {
        socket.refused = true;
        return;
      }
      const listed = new Promise((resolve) => (this.listing = resolve));
      const subscribed = await socket.request("cqm.SubscribeExConversations", { convState: ["OPEN"] });
      if (socket !== this.socket) return;
      if (subscribed.code !== 200) throw new Error(reasonOf(subscribed));
      const changes = await listed; // always sent, empty when the consumer has no open conversation
      if (socket !== this.socket) return;
      const open = changes.find((change) => isOpen(change));
      let id = open ? open.result.convId : null;
      if (!id) {
        const requested = await socket.request("cm.ConsumerRequestConversation", {});
        if (socket !== this.socket) return;
        if (requested.code !== 200) throw new Error(reasonOf(requested));
        id = requested.body.conversationId;
      }
      await this.follow(socket, id);
      if (socket !== this.socket) return;
      this.failures = 0;
      this.live = true;
      this.emit("connection", "live");
    }

    // Makes `id` the conversation shown and subscribes to its messages, the history first.
    async follow(socket, id) {
      if (id !== this.conversationId) {
        this.conversationId = id;
        this.messages.clear();
        this.emit("messages", []);
      }
      this.ended = false;
      this.emit("conversation", id);
      const subscribed = await socket.request("ms.SubscribeMessagingEvents", { dialogId: id, fromSeq: 0 });
      if (subscribed.code !== 200 && socket === this.socket) throw new Error(reasonOf(subscribed));
    }

    // -- what the server says

    notified(frame) {
      const body = frame.body || {};
      const changes = Array.isArray(body.changes) ? body.changes : [];
      if (frame.type === "cqm.ExConversationChangeNotification") {
        if (this.listing) {
          const resolve = this.listing;
          this.listing = null;
          resolve(changes);
          return;
        }
        for (const change of changes) this.conversationChanged(change);
      } else if (frame.type === "ms.MessagingEventNotification") {
        let added = false;
        for (const change of changes) {
          const event = change.event || {};
          if (change.dialogId !== this.conversationId || typeof event.message !== "string") continue;
          const role = (change.originatorMetadata || {}).role;
          this.messages.set(change.sequence, {
            sequence: change.sequence,
            fromConsumer: role === "CONSUMER",
            text: event.message,
          });
          added = true;
        }
        if (added) this.emit("messages", [...this.messages.values()].sort((a, b) => a.sequence - b.sequence));
      }
    }

    conversationChanged(change) {
      const id = change.result && change.result.convId;
      if (id === this.conversationId && !isOpen(change)) {
        if (!this.ended) {
          this.ended = true;
          this.emit("ended");
        }
      } else if (id !== this.conversationId && isOpen(change) && this.ended && this.socket) {
        // Opened elsewhere (the other window) after this one ended: show it here too.
        this.follow(this.socket, id).catch((error) => this.emit("connection", "failed", error.message));
      }
    }

    // LivePerson's close code says why. A socket whose token was refused or has expired closed for
    // that reason whatever code arrived: the close frame can be lost (Chrome reports 1006 when the
    // server writes anything after it, as the stand-in's development server does), and reconnecting
    // with a token that is no longer valid would only be refused again.
    async closed(generation, socket, code, reason) {
      this.socket = null;
      this.live = false;
      const held = readToken(this.token);
      const invalid = socket.refused || held.expiresAt * 1000 <= Date.now();
      const guestExpired = code === GUEST_EXPIRED || (invalid && held.customerId === null && code !== TOKEN_EXPIRED);
      if (guestExpired) {
        this.emit("connection", "renewing", reason);
        try {
          const token = await signup(this.standIn, this.account, this.token);
          if (generation !== this.generation) return;
          this.emit("token", token);
          this.connect(token);
        } catch {
          // Not extended (too long expired, or not a token of this IdP): the host starts afresh.
          if (generation === this.generation) this.reauthenticate(reason);
        }
      } else if (code === TOKEN_EXPIRED || invalid) {
        this.emit("connection", "renewing", reason);
        this.reauthenticate(reason);
      } else {
        // Idle, network, restart: LivePerson says to wait, then reconnect with the same token.
        const delay = RECONNECT_DELAYS_MS[Math.min(this.failures, RECONNECT_DELAYS_MS.length - 1)];
        this.failures += 1;
        this.emit("connection", "reconnecting", reason);
        this.retryTimer = setTimeout(() => generation === this.generation && this.open(), delay);
      }
    }
  }

  function isOpen(change) {
    const details = (change.result && change.result.conversationDetails) || {};
    return change.type !== "DELETE" && details.state !== "CLOSE";
  }

  function reasonOf(answer) {
    return typeof answer.body === "string" && answer.body ? answer.body : `refused (code ${answer.code})`;
  }

  return { Refusal, authenticate, signup, readToken, Session };
})();
