// The procedure link: tRPC-shaped calls over the client's own session channel
// (/trpc/<session-id>), with transparent chunking both ways. A call still unanswered when the
// connection comes back is sent again with the same message id if the server can tell it is a
// repeat: a chunked call (the server keeps each one and its answer), or a mutation with an
// idempotency key (run at most once per user and key). Either way it never runs twice.

import { ChunkStore, isChunk, needsChunking, splitMessage } from "./chunking.js";
import { OperationError } from "./appsync.js";

const CLIENT_UUID_KEY = "inkwell.clientUuid";

export class ProcedureError extends Error {
  constructor(error) {
    super(error.message || "The call failed.");
    this.code = error.data && error.data.code;
    this.data = error.data || {};
  }
}

/** The request never reached the server: it is safe to send it another way. */
export class LinkUnavailable extends Error {}

export class SessionLink {
  constructor({ client, storage = globalThis.localStorage, timeoutMs = 30_000, chunkStore = new ChunkStore() }) {
    Object.assign(this, { client, storage, timeoutMs, chunkStore });
    this.calls = new Map(); // call id -> {resolve, reject, timer, request, chunks, mayRepeat, sent}
    this.counter = 0;
    this.sessionId = null;
    this.subscription = null;
    client.addEventListener("status", (event) => {
      if (event.detail === "live" && this.sessionId !== null) this.resendUnanswered();
    });
  }

  clientUuid() {
    let value = this.storage.getItem(CLIENT_UUID_KEY);
    if (!value) {
      value = crypto.randomUUID();
      this.storage.setItem(CLIENT_UUID_KEY, value);
    }
    return value;
  }

  /** Ask for this browser's session id, then subscribe to its channel. */
  async start() {
    const requestChannel = `/trpc/session-request-${Date.now()}`;
    let answered;
    const sessionId = new Promise((resolve) => {
      answered = resolve;
    });
    const request = await this.client.subscribe(requestChannel, (event) => {
      if (event && event.type === "session.created") answered(event.sessionId);
    });
    await this.client.publish(requestChannel, [{ type: "session.request", clientUuid: this.clientUuid() }]);
    const id = await withTimeout(sessionId, this.timeoutMs, "No session id arrived.");
    await request.unsubscribe();
    this.subscription = await this.client.subscribe(`/trpc/${id}`, (event) => this.receive(event));
    this.sessionId = id; // ready only once answers can reach us
    return id;
  }

  get ready() {
    return this.sessionId !== null && this.client.status === "live";
  }

  receive(event) {
    let message = event;
    if (isChunk(event)) {
      let whole;
      try {
        whole = this.chunkStore.add(event);
      } catch {
        return;
      }
      if (whole === null) return;
      message = JSON.parse(whole);
    }
    // Requests (ours, echoed to the channel) and answers to other tabs' calls are not ours.
    const call = message && this.calls.get(message.id);
    if (!call || !("result" in message || "error" in message)) return;
    this.calls.delete(message.id);
    clearTimeout(call.timer);
    if (message.error) call.reject(new ProcedureError(message.error));
    else call.resolve(message.result.data);
  }

  /**
   * Run procedure `path` ("query" or "mutation") with `input`; resolves with its output. A
   * mutation's `idempotencyKey` (the call's `idempotencyKey` field) lets it be sent again.
   */
  async call(method, path, input, { idempotencyKey = null } = {}) {
    if (!this.ready) throw new LinkUnavailable("The live link is not connected.");
    this.counter += 1;
    const id = `${this.clientUuid().slice(0, 8)}-${Date.now().toString(36)}-${this.counter}`;
    const request = { id, method, params: { path, input }, ...(idempotencyKey ? { idempotencyKey } : {}) };
    const text = JSON.stringify(request);
    const chunks = needsChunking(text) ? splitMessage(text) : null;
    const mayRepeat = Boolean(chunks || idempotencyKey);
    const answer = new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject, timer: null, request, chunks, mayRepeat, sent: false });
      this.armTimer(id);
    });
    const channel = `/trpc/${this.sessionId}`;
    try {
      if (chunks) {
        // One chunk per frame: five 200 KB chunks would break the 240 KB frame limit.
        for (const [index, chunk] of chunks.entries()) {
          // Once the last chunk has left, the server may have the call: it is only sent again.
          if (index === chunks.length - 1) this.calls.get(id).sent = true;
          await this.client.publish(channel, [chunk]);
        }
      } else {
        // Once it may have left, a call the server can tell again is only sent again.
        if (mayRepeat) this.calls.get(id).sent = true;
        await this.client.publish(channel, [request]);
      }
    } catch (error) {
      const call = this.calls.get(id);
      const mayHaveArrived = call && call.sent && !(error instanceof OperationError);
      if (mayHaveArrived) return answer; // sent again, with the same message id, on reconnect
      if (call) {
        clearTimeout(call.timer);
        this.calls.delete(id);
      }
      throw new LinkUnavailable(error.message);
    }
    return answer;
  }

  /** (Re)start the wait for call `id`'s answer. */
  armTimer(id) {
    const call = this.calls.get(id);
    clearTimeout(call.timer);
    call.timer = setTimeout(() => {
      this.calls.delete(id);
      call.reject(new Error("The server did not answer in time."));
    }, this.timeoutMs);
  }

  /**
   * After a reconnect, send again every call still unanswered that the server can tell again
   * (chunked, or with an idempotency key), with its message id: its process may have died
   * after it arrived, or the answer was lost with the connection. The server answers from its
   * record of the call.
   */
  async resendUnanswered() {
    const unanswered = [...this.calls].filter(([, call]) => call.mayRepeat && call.sent);
    if (!unanswered.length) return;
    const channel = `/trpc/${this.sessionId}`;
    try {
      // The client subscribes again in the background; an answer sent before that lands would
      // be lost, so the link takes a subscription it knows is live, then drops the old one.
      const previous = this.subscription;
      this.subscription = await this.client.subscribe(channel, (event) => this.receive(event));
      if (previous) await previous.unsubscribe();
      for (const [id, call] of unanswered) {
        if (!this.calls.has(id)) continue; // answered meanwhile
        this.armTimer(id);
        for (const part of call.chunks || [call.request]) await this.client.publish(channel, [part]);
      }
    } catch {
      // Lost again: the next reconnect sends them again.
    }
  }

  query(path, input) {
    return this.call("query", path, input);
  }

  mutation(path, input, options) {
    return this.call("mutation", path, input, options);
  }
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
