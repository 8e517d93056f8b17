// A small client of the AppSync Events WebSocket protocol (docs/protocols/appsync-events.md):
// connection_init/ack, keep-alive watchdog, subscribe/unsubscribe/publish, and reconnection
// with jittered backoff that re-subscribes every live subscription.

const SUBPROTOCOL = "aws-appsync-event-ws";
const DEFAULT_TIMEOUT_MS = 300_000;

function base64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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
 * Events: "status" (detail: "connecting" | "live" | "reconnecting" | "closed").
 * `authorization()` answers the headers each operation carries ({} to rely on the cookie).
 */
export class EventsClient extends EventTarget {
  constructor({
    url,
    authorization = async () => ({}),
    WebSocketImpl = globalThis.WebSocket,
    backoffBaseMs = 500,
    backoffMaxMs = 30_000,
    random = Math.random,
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (handle) => clearTimeout(handle),
  }) {
    super();
    Object.assign(this, { url, authorization, WebSocketImpl, backoffBaseMs, backoffMaxMs, random });
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.status = "closed";
    this.subscriptions = new Map(); // id -> {channel, onEvent}
    this.pending = new Map(); // operation id -> {resolve, reject}
    this.attempt = 0;
    this.counter = 0;
    this.socket = null;
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
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => this.lost(socket);
    socket.onerror = () => socket.close();
  }

  close() {
    this.wanted = false;
    this.clearTimer(this.watchdog);
    if (this.socket) this.socket.close();
    this.setStatus("closed");
  }

  lost(socket) {
    if (socket !== this.socket) return;
    this.clearTimer(this.watchdog);
    for (const { reject } of this.pending.values()) reject(new Error("The connection was lost."));
    this.pending.clear();
    if (!this.wanted) return;
    this.setStatus("reconnecting");
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** this.attempt);
    this.attempt += 1;
    // Full jitter: clients that lost the same server don't all come back at once.
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
        this.attempt = 0;
        {
          // Only what was subscribed before this connection: "live" listeners may add more.
          const previous = [...this.subscriptions];
          this.setStatus("live");
          for (const [id, subscription] of previous) this.sendSubscribe(id, subscription.channel).catch(() => {});
        }
        break;
      case "connection_error":
        this.wanted = false;
        this.socket.close();
        this.setStatus("closed");
        break;
      case "data": {
        const subscription = this.subscriptions.get(frame.id);
        if (!subscription) break;
        let event;
        try {
          event = JSON.parse(frame.event);
        } catch {
          break;
        }
        subscription.onEvent(event);
        break;
      }
      case "subscribe_success":
      case "unsubscribe_success":
      case "publish_success":
        this.settle(frame.id, (waiter) => waiter.resolve(frame));
        break;
      case "subscribe_error":
      case "unsubscribe_error":
      case "publish_error":
        this.settle(frame.id, (waiter) => waiter.reject(new OperationError(frame)));
        break;
      default:
        break;
    }
  }

  settle(id, how) {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    how(waiter);
  }

  async send(frame) {
    if (!this.socket || this.status !== "live") throw new Error("Not connected.");
    const authorization = { host: new URL(this.url).host, ...(await this.authorization()) };
    const answer = new Promise((resolve, reject) => this.pending.set(frame.id, { resolve, reject }));
    this.socket.send(JSON.stringify({ ...frame, authorization }));
    return answer;
  }

  sendSubscribe(id, channel) {
    return this.send({ type: "subscribe", id, channel }).catch((error) => {
      if (error instanceof OperationError) this.subscriptions.delete(id);
      throw error;
    });
  }

  /** Subscribe to `channel`; `onEvent` gets each event, parsed. Resolves once subscribed. */
  async subscribe(channel, onEvent) {
    const id = this.nextId("sub");
    this.subscriptions.set(id, { channel, onEvent });
    await this.sendSubscribe(id, channel);
    return { id, unsubscribe: () => this.unsubscribe(id) };
  }

  async unsubscribe(id) {
    if (!this.subscriptions.delete(id) || this.status !== "live") return;
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
