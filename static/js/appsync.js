// A small client of the AppSync Events WebSocket protocol (docs/protocols/appsync-events.md):
// connection_init/ack, keep-alive watchdog, subscribe/unsubscribe/publish, and reconnection
// with jittered backoff. After a reconnect it subscribes again from the last position it saw on
// each channel (docs/protocols/recovery.md), and it is "live" again only once every subscription
// has caught up: its missed events received, or its state reloaded where they are gone.

const SUBPROTOCOL = "aws-appsync-event-ws";
const DEFAULT_TIMEOUT_MS = 300_000;

function base64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Only one concrete /subscriptions/… channel has offsets that can be asked back (`since`). */
function isRecoverable(channel) {
  return channel.startsWith("/subscriptions/") && !channel.endsWith("/*");
}

/** The `{epoch, offset}` an event of the log carries, or null. */
function positionOf(event) {
  if (!event || typeof event.epoch !== "string" || !Number.isSafeInteger(event.offset)) return null;
  return { epoch: event.epoch, offset: event.offset };
}

/**
 * Whether `position` is at or past `target`. `{epoch: "", offset: 0}` stands before a
 * channel's first event, whatever epoch that event starts.
 */
function hasReached(position, target) {
  if (!target || (target.epoch === "" && target.offset === 0)) return true;
  return Boolean(position) && position.epoch === target.epoch && position.offset >= target.offset;
}

/** Whether `position` comes right after `last` on one channel. */
function isNextAfter(last, position) {
  if (last.epoch === "" && last.offset === 0) return position.offset === 1;
  return last.epoch === position.epoch && position.offset === last.offset + 1;
}

/** A position written `<epoch>:<offset>` (as pages render it, and as SSE ids are), or null. */
export function parsePosition(text) {
  const match = /^([^:]*):(\d+)$/.exec(text || "");
  if (!match) return null;
  const offset = Number(match[2]);
  return Number.isSafeInteger(offset) ? { epoch: match[1], offset } : null;
}

export class OperationError extends Error {
  constructor(frame) {
    const first = (frame.errors && frame.errors[0]) || {};
    super(first.message || `${frame.type}`);
    this.errorType = first.errorType || "UnknownError";
    this.frame = frame;
  }
}

/**
 * Events: "status" (detail: "connecting" | "live" | "reconnecting" | "closed"). After a
 * reconnect the status stays "reconnecting" until every subscription has recovered.
 * `authorization()` answers the headers each operation carries ({} to rely on the cookie).
 */
export class EventsClient extends EventTarget {
  constructor({
    url,
    authorization = async () => ({}),
    WebSocketImpl = globalThis.WebSocket,
    backoffBaseMs = 250,
    backoffMaxMs = 10_000,
    random = Math.random,
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (handle) => clearTimeout(handle),
  }) {
    super();
    Object.assign(this, { url, authorization, WebSocketImpl, backoffBaseMs, backoffMaxMs, random });
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.status = "closed";
    this.subscriptions = new Map(); // id -> Subscription (see subscribe)
    this.pending = new Map(); // operation id -> {resolve, reject}
    this.attempt = 0;
    this.counter = 0;
    this.socket = null;
    this.connected = false; // acknowledged: operations may be sent
    this.watchdog = null;
    this.wanted = false;
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent("status", { detail: status }));
  }

  nextId(prefix) {
    this.counter += 1;
    return `${prefix}-${this.counter}-${Math.floor(this.random() * 1e9).toString(36)}`;
  }

  async connect() {
    this.wanted = true;
    this.setStatus(this.attempt ? "reconnecting" : "connecting");
    let headers = {};
    try {
      headers = await this.authorization();
    } catch {
      headers = {};
    }
    const host = new URL(this.url).host;
    const auth = base64Url(JSON.stringify({ host, ...headers }));
    const socket = new this.WebSocketImpl(this.url, [SUBPROTOCOL, `header-${auth}`]);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init" }));
    socket.onmessage = (message) => socket === this.socket && this.receive(message.data);
    socket.onclose = () => this.lost(socket);
    socket.onerror = () => socket.close();
  }

  close() {
    this.wanted = false;
    this.connected = false;
    this.clearTimer(this.watchdog);
    if (this.socket) this.socket.close();
    this.setStatus("closed");
  }

  lost(socket) {
    if (socket !== this.socket) return;
    this.connected = false;
    this.clearTimer(this.watchdog);
    for (const { reject } of this.pending.values()) reject(new Error("The connection was lost."));
    this.pending.clear();
    if (!this.wanted) return;
    this.setStatus("reconnecting");
    // Doubling from backoffBaseMs, with equal jitter (between half the ceiling and all of it):
    // quick after a blip, and clients that lost the same server don't all come back at once.
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** this.attempt);
    this.attempt += 1;
    this.setTimer(() => this.connect(), ceiling / 2 + (this.random() * ceiling) / 2);
  }

  armWatchdog(timeoutMs) {
    this.clearTimer(this.watchdog);
    this.watchdog = this.setTimer(() => this.socket && this.socket.close(), timeoutMs);
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (this.timeoutMs) this.armWatchdog(this.timeoutMs);
    switch (frame.type) {
      case "connection_ack":
        this.timeoutMs = frame.connectionTimeoutMs || DEFAULT_TIMEOUT_MS;
        this.armWatchdog(this.timeoutMs);
        this.connected = true;
        this.resubscribe();
        this.checkRecovered();
        break;
      case "connection_error": {
        this.connected = false;
        // Over a limit (a public key's connection cap or rate) is for now: retried with the
        // usual backoff, as Amplify retries 429. Bad credentials are for good.
        const errorType = frame.errors && frame.errors[0] && frame.errors[0].errorType;
        if (errorType === "LimitExceededException") {
          this.socket.close();
          break;
        }
        this.wanted = false;
        this.socket.close();
        this.setStatus("closed");
        break;
      }
      case "data": {
        const subscription = this.subscriptions.get(frame.id);
        if (!subscription) break;
        let event;
        try {
          event = JSON.parse(frame.event);
        } catch {
          break;
        }
        this.deliver(subscription, event);
        break;
      }
      case "subscribe_success": {
        // Settled here, before the next frame: the missed events follow this one directly.
        const subscription = this.subscriptions.get(frame.id);
        if (subscription && subscription.state === "subscribing") this.subscribed(subscription, frame);
        this.settle(frame.id, (waiter) => waiter.resolve(frame));
        break;
      }
      case "subscribe_error":
        this.subscriptions.delete(frame.id);
        this.settle(frame.id, (waiter) => waiter.reject(new OperationError(frame)));
        this.checkRecovered();
        break;
      case "unsubscribe_success":
      case "publish_success":
        this.settle(frame.id, (waiter) => waiter.resolve(frame));
        break;
      case "unsubscribe_error":
      case "publish_error":
        this.settle(frame.id, (waiter) => waiter.reject(new OperationError(frame)));
        break;
      default:
        break;
    }
  }

  /** Subscribe again to what was subscribed before this connection ("live" listeners may add
   * more); an operation that could not be sent (its authorization failed) is tried again on a
   * new connection, rather than leaving the client short of "live" for good. */
  resubscribe() {
    const socket = this.socket;
    for (const [id, subscription] of [...this.subscriptions]) {
      this.sendSubscribe(id, subscription).catch((error) => {
        if (!(error instanceof OperationError) && socket === this.socket && this.connected) socket.close();
      });
    }
  }

  settle(id, how) {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    how(waiter);
  }

  /** "live" once connected and every subscription has caught up (the attempts start again). */
  checkRecovered() {
    if (!this.connected || this.status === "live") return;
    for (const subscription of this.subscriptions.values()) if (subscription.state !== "ready") return;
    this.attempt = 0;
    this.setStatus("live");
  }

  /**
   * Where a (re)subscription starts, from its subscribe_success: the missed events follow
   * (recovered), or they are gone and the state is reloaded: a re-subscription that could not
   * say where it was (no event seen yet) reloads too, since it cannot know what it missed.
   */
  subscribed(subscription, frame) {
    const isAgain = subscription.wasSubscribed;
    subscription.wasSubscribed = true;
    const isUnsure = subscription.mustReload || frame.recovered === false || (isAgain && frame.recovered !== true);
    if (subscription.reload && isUnsure) {
      if (frame.recovered === false) subscription.position = frame.position || null;
      this.reloadState(subscription);
    } else if (frame.recovered === true && !hasReached(subscription.position, frame.position)) {
      subscription.target = frame.position;
      subscription.state = "catching-up";
    } else {
      // Where it starts, to be asked back after a drop, when no event has said so yet.
      if (!subscription.position && frame.position && isRecoverable(subscription.channel)) {
        subscription.position = frame.position;
      }
      subscription.state = "ready";
    }
    this.checkRecovered();
  }

  /** Reload what `subscription`'s events update; the events meanwhile wait, then follow. */
  reloadState(subscription) {
    subscription.state = "reloading";
    subscription.mustReload = false;
    const round = subscription.round;
    // After a previous reload that a lost connection interrupted, never alongside it.
    const reloaded = (subscription.reloading || Promise.resolve()).catch(() => {}).then(() => subscription.reload());
    subscription.reloading = reloaded;
    reloaded.then(
      () => {
        if (subscription.round !== round) return; // a newer subscribe owns the state now
        subscription.state = "ready";
        for (const event of subscription.queue.splice(0)) this.deliver(subscription, event);
        this.checkRecovered();
      },
      (error) => {
        console.warn(`Reloading after ${subscription.channel} failed:`, error);
        if (subscription.round !== round) return;
        // Not live with a stale page: try again on a new connection.
        subscription.mustReload = true;
        if (this.socket) this.socket.close();
      },
    );
  }

  /** One event to its subscription: once each, in offset order, and never during a reload. */
  deliver(subscription, event) {
    if (subscription.state === "reloading") {
      subscription.queue.push(event);
      return;
    }
    const position = isRecoverable(subscription.channel) ? positionOf(event) : null;
    if (position) {
      const last = subscription.position;
      if (last && last.epoch === position.epoch && position.offset <= last.offset) return; // a repeat
      const isNext = !last || isNextAfter(last, position);
      subscription.position = position;
      if (!isNext && subscription.reload) {
        // Events between are missing, or the channel has a new history: the state is unsure.
        subscription.onEvent(event);
        this.reloadState(subscription);
        return;
      }
    }
    subscription.onEvent(event);
    if (subscription.state === "catching-up" && hasReached(subscription.position, subscription.target)) {
      subscription.state = "ready";
      this.checkRecovered();
    }
  }

  async send(frame) {
    if (!this.socket || !this.connected) throw new Error("Not connected.");
    const authorization = { host: new URL(this.url).host, ...(await this.authorization()) };
    const answer = new Promise((resolve, reject) => this.pending.set(frame.id, { resolve, reject }));
    this.socket.send(JSON.stringify({ ...frame, authorization }));
    return answer;
  }

  sendSubscribe(id, subscription) {
    // A reload cut short by the lost connection may end after newer events: reload once more.
    if (subscription.state === "reloading") subscription.mustReload = true;
    subscription.state = "subscribing";
    subscription.round += 1;
    subscription.queue = [];
    const frame = { type: "subscribe", id, channel: subscription.channel };
    if (subscription.position && isRecoverable(subscription.channel)) frame.since = subscription.position;
    return this.send(frame);
  }

  /**
   * Subscribe to `channel`; `onEvent` gets each event, parsed, once and in order. `reload`
   * (optional, async) fetches again the state the events update, for when the events missed
   * while disconnected cannot all be sent. `since` (optional, `{epoch, offset}`) is where the
   * state the page shows stands: the events after it are sent first. Resolves once subscribed.
   */
  async subscribe(channel, onEvent, { reload = null, since = null } = {}) {
    const id = this.nextId("sub");
    const subscription = {
      channel,
      onEvent,
      reload,
      position: since, // the last {epoch, offset} delivered
      state: "subscribing", // "catching-up" to `target`, "reloading", "ready"
      target: null,
      round: 0, // counts the subscribes: a reload's result is only for its own
      queue: [],
      reloading: null,
      mustReload: false,
      wasSubscribed: false,
    };
    this.subscriptions.set(id, subscription);
    await this.sendSubscribe(id, subscription);
    return { id, unsubscribe: () => this.unsubscribe(id) };
  }

  async unsubscribe(id) {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return;
    this.subscriptions.delete(id);
    subscription.round += 1; // a reload still running is for nothing now
    this.checkRecovered();
    if (!this.connected) return;
    await this.send({ type: "unsubscribe", id }).catch(() => {});
  }

  /** Publish events (any JSON values; at most 5); resolves with publish_success. */
  publish(channel, events) {
    return this.send({
      type: "publish",
      id: this.nextId("pub"),
      channel,
      events: events.map((event) => JSON.stringify(event)),
    });
  }
}
