// A stand-in for the realtime endpoint, for unit tests of the browser client: it speaks
// just enough of the AppSync Events protocol over a fake WebSocket, and keeps a history per
// channel for recovery (docs/protocols/recovery.md): positions on events, `since` on subscribe.

export class FakeServer {
  constructor() {
    this.sockets = [];
    this.received = [];
    this.onPublish = () => {};
    this.histories = new Map(); // channel -> {epoch, events, firstKept}
    this.heldBacklog = null; // [socket, frame] pairs while the backlog is held back
    const server = this;
    this.WebSocket = class {
      constructor(url, protocols) {
        this.url = url;
        this.protocols = protocols;
        this.closed = false;
        server.sockets.push(this);
        queueMicrotask(() => this.onopen && this.onopen());
      }
      send(text) {
        server.receive(this, JSON.parse(text));
      }
      close() {
        if (this.closed) return;
        this.closed = true;
        queueMicrotask(() => this.onclose && this.onclose());
      }
    };
  }

  get socket() {
    return this.sockets.at(-1);
  }

  push(socket, frame) {
    queueMicrotask(() => !socket.closed && socket.onmessage && socket.onmessage({ data: JSON.stringify(frame) }));
  }

  /** Deliver `event` to every subscription of `channel` on the current socket. */
  deliver(channel, event) {
    for (const [id, subscribed] of this.socket?.subscriptions || []) {
      if (subscribed === channel) this.push(this.socket, { type: "data", id, event: JSON.stringify(event) });
    }
  }

  /** A logged event on `channel`: it takes the channel's next offset, is kept, and is sent. */
  log(channel, payload, { epoch = "e1" } = {}) {
    let history = this.histories.get(channel);
    if (!history || history.epoch !== epoch) {
      history = { epoch, events: [], firstKept: 1 };
      this.histories.set(channel, history);
    }
    const event = { ...payload, epoch, offset: history.events.length + 1 };
    history.events.push(event);
    this.deliver(channel, event);
    return event;
  }

  /** Forget `channel`'s events up to `offset`, as retention does. */
  prune(channel, offset) {
    this.histories.get(channel).firstKept = offset + 1;
  }

  head(channel) {
    const history = this.histories.get(channel);
    return history && history.events.length ? { epoch: history.epoch, offset: history.events.length } : null;
  }

  /** Send the missed events held back since `holdBacklog()`. */
  releaseBacklog() {
    const held = this.heldBacklog;
    this.heldBacklog = null;
    for (const [socket, frame] of held) this.push(socket, frame);
  }

  holdBacklog() {
    this.heldBacklog = [];
  }

  subscribed(socket, frame) {
    const isConcrete = frame.channel.startsWith("/subscriptions/") && !frame.channel.endsWith("/*");
    // As the server says where a subscription starts: the head, or before the first event.
    const head = this.head(frame.channel) || { epoch: "", offset: 0 };
    if (!frame.since) {
      this.push(socket, { type: "subscribe_success", id: frame.id, ...(isConcrete ? { position: head } : {}) });
      return;
    }
    const history = this.histories.get(frame.channel);
    const since = frame.since;
    const fromTheStart = since.epoch === "" && since.offset === 0;
    if (fromTheStart && !history) {
      this.push(socket, { type: "subscribe_success", id: frame.id, recovered: true, position: head });
      return;
    }
    const isSameHistory = history && (fromTheStart || history.epoch === since.epoch);
    if (!isSameHistory || since.offset + 1 < history.firstKept) {
      this.push(socket, { type: "subscribe_success", id: frame.id, recovered: false, position: head, message: "reload" });
      return;
    }
    this.push(socket, { type: "subscribe_success", id: frame.id, recovered: true, position: head });
    for (const event of history.events.slice(since.offset)) {
      const data = { type: "data", id: frame.id, event: JSON.stringify(event) };
      if (this.heldBacklog) this.heldBacklog.push([socket, data]);
      else this.push(socket, data);
    }
  }

  receive(socket, frame) {
    this.received.push(frame);
    socket.subscriptions ||= new Map();
    if (frame.type === "connection_init") {
      this.push(socket, { type: "connection_ack", connectionTimeoutMs: 300000 });
    } else if (frame.type === "subscribe") {
      socket.subscriptions.set(frame.id, frame.channel);
      this.subscribed(socket, frame);
    } else if (frame.type === "unsubscribe") {
      socket.subscriptions.delete(frame.id);
      this.push(socket, { type: "unsubscribe_success", id: frame.id });
    } else if (frame.type === "publish") {
      if (frame.channel.startsWith("/subscriptions/")) {
        this.push(socket, {
          type: "publish_error",
          id: frame.id,
          errors: [{ errorType: "UnauthorizedException", message: "Clients may not publish here." }],
        });
        return;
      }
      this.push(socket, {
        type: "publish_success",
        id: frame.id,
        successful: frame.events.map((_, index) => ({ identifier: `e${index}`, index })),
        failed: [],
      });
      for (const event of frame.events) this.onPublish(frame.channel, JSON.parse(event));
    }
  }
}

export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
