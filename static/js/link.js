// The procedure link: tRPC-shaped calls over the client's own session channel
// (/trpc/<session-id>), with transparent chunking both ways.

import { ChunkStore, isChunk, needsChunking, splitMessage } from "./chunking.js";

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
    this.calls = new Map(); // call id -> {resolve, reject, timer}
    this.counter = 0;
    this.sessionId = null;
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
    await this.client.subscribe(`/trpc/${id}`, (event) => this.receive(event));
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

  /** Run procedure `path` ("query" or "mutation") with `input`; resolves with its output. */
  async call(method, path, input) {
    if (!this.ready) throw new LinkUnavailable("The live link is not connected.");
    this.counter += 1;
    const id = `${this.clientUuid().slice(0, 8)}-${Date.now().toString(36)}-${this.counter}`;
    const request = { id, method, params: { path, input } };
    const text = JSON.stringify(request);
    const answer = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new Error("The server did not answer in time."));
      }, this.timeoutMs);
      this.calls.set(id, { resolve, reject, timer });
    });
    const channel = `/trpc/${this.sessionId}`;
    try {
      if (needsChunking(text)) {
        // One chunk per frame: five 200 KB chunks would break the 240 KB frame limit.
        for (const chunk of splitMessage(text)) await this.client.publish(channel, [chunk]);
      } else {
        await this.client.publish(channel, [request]);
      }
    } catch (error) {
      const call = this.calls.get(id);
      if (call) {
        clearTimeout(call.timer);
        this.calls.delete(id);
      }
      throw new LinkUnavailable(error.message);
    }
    return answer;
  }

  query(path, input) {
    return this.call("query", path, input);
  }

  mutation(path, input) {
    return this.call("mutation", path, input);
  }
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
