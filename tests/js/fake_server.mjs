// A stand-in for the realtime endpoint, for unit tests of the browser client: it speaks
// just enough of the AppSync Events protocol over a fake WebSocket.

export class FakeServer {
  constructor() {
    this.sockets = [];
    this.received = [];
    this.onPublish = () => {};
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
    queueMicrotask(() => socket.onmessage && socket.onmessage({ data: JSON.stringify(frame) }));
  }

  /** Deliver `event` to every subscription of `channel` on the current socket. */
  deliver(channel, event) {
    for (const [id, subscribed] of this.socket.subscriptions || []) {
      if (subscribed === channel) this.push(this.socket, { type: "data", id, event: JSON.stringify(event) });
    }
  }

  receive(socket, frame) {
    this.received.push(frame);
    socket.subscriptions ||= new Map();
    if (frame.type === "connection_init") {
      this.push(socket, { type: "connection_ack", connectionTimeoutMs: 300000 });
    } else if (frame.type === "subscribe") {
      socket.subscriptions.set(frame.id, frame.channel);
      this.push(socket, { type: "subscribe_success", id: frame.id });
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
