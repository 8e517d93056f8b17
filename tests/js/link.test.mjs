// The procedure link (static/js/link.js): the session handshake, calls matched by id, chunking.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { EventsClient } from "../../static/js/appsync.js";
import { splitMessage } from "../../static/js/chunking.js";
import { LinkUnavailable, ProcedureError, SessionLink } from "../../static/js/link.js";
import { FakeServer, tick } from "./fake_server.mjs";

const SESSION = "5b1f6a52-8a43-4c39-9d8b-3f3b3f0e9a11";

class MemoryStorage {
  constructor() {
    this.values = new Map();
  }
  getItem(key) {
    return this.values.get(key) ?? null;
  }
  setItem(key, value) {
    this.values.set(key, value);
  }
}

const open = [];
after(() => open.forEach((client) => client.close()));

async function connectedLink(server, answer) {
  server.onPublish = (channel, event) => {
    if (event.type === "session.request") {
      setTimeout(() => server.deliver(channel, { type: "session.created", sessionId: SESSION }), 0);
    } else if (channel === `/trpc/${SESSION}`) {
      answer(event);
    }
  };
  const client = new EventsClient({ url: "ws://inkwell.test/event/realtime", WebSocketImpl: server.WebSocket });
  open.push(client);
  await client.connect();
  await tick();
  const link = new SessionLink({ client, storage: new MemoryStorage(), timeoutMs: 2000 });
  await link.start();
  return link;
}

test("the handshake keeps a client uuid, receives the session id and subscribes to its channel", async () => {
  const server = new FakeServer();
  const link = await connectedLink(server, () => {});
  assert.equal(link.sessionId, SESSION);
  const request = server.received.find((frame) => frame.type === "publish");
  const event = JSON.parse(request.events[0]);
  assert.equal(event.type, "session.request");
  assert.match(event.clientUuid, /^[0-9a-f-]{36}$/);
  assert.equal(link.clientUuid(), event.clientUuid, "the same uuid is kept");
  const channels = server.received.filter((frame) => frame.type === "subscribe").map((frame) => frame.channel);
  assert.equal(channels.at(-1), `/trpc/${SESSION}`);
});

test("a call resolves with its own answer, ignoring echoes and other tabs' answers", async () => {
  const server = new FakeServer();
  const link = await connectedLink(server, (request) => {
    server.deliver(`/trpc/${SESSION}`, request); // the request itself, echoed
    server.deliver(`/trpc/${SESSION}`, { id: "another-tab", result: { type: "data", data: "not ours" } });
    server.deliver(`/trpc/${SESSION}`, { id: request.id, result: { type: "data", data: { items: [1] } } });
  });
  assert.deepEqual(await link.query("post.list", { limit: 1 }), { items: [1] });
});

test("an error answer rejects with the tRPC code and field errors", async () => {
  const server = new FakeServer();
  const link = await connectedLink(server, (request) =>
    server.deliver(`/trpc/${SESSION}`, {
      id: request.id,
      error: { message: "Invalid", code: -32600, data: { code: "BAD_REQUEST", fieldErrors: { title: ["Required."] } } },
    }),
  );
  await assert.rejects(link.mutation("post.create", {}), (error) => {
    assert.ok(error instanceof ProcedureError);
    assert.equal(error.code, "BAD_REQUEST");
    assert.deepEqual(error.data.fieldErrors, { title: ["Required."] });
    return true;
  });
});

test("a large call goes out in chunks, one per frame, and a chunked answer comes back whole", async () => {
  const server = new FakeServer();
  const published = [];
  const content = "x".repeat(1024 * 1024);
  const link = await connectedLink(server, (event) => {
    published.push(event);
    if (event.type !== "chunk" || event.chunkIndex !== event.totalChunks - 1) return;
    const request = JSON.parse(
      Buffer.concat(
        published.filter((chunk) => chunk.messageId === event.messageId).map((chunk) => Buffer.from(chunk.data, "base64")),
      ).toString(),
    );
    const answer = JSON.stringify({ id: request.id, result: { type: "data", data: { content: request.params.input.content } } });
    for (const chunk of splitMessage(answer).reverse()) server.deliver(`/trpc/${SESSION}`, chunk);
  });
  const result = await link.mutation("post.create", { title: "Big", content });
  assert.equal(result.content.length, content.length);
  const frames = server.received.filter((frame) => frame.type === "publish" && frame.channel === `/trpc/${SESSION}`);
  assert.ok(frames.length > 1);
  assert.ok(frames.every((frame) => frame.events.length === 1 && JSON.stringify(frame).length < 240 * 1024));
});

test("calls fail fast when the link is not connected", async () => {
  const server = new FakeServer();
  const client = new EventsClient({ url: "ws://inkwell.test/event/realtime", WebSocketImpl: server.WebSocket });
  const link = new SessionLink({ client, storage: new MemoryStorage() });
  await assert.rejects(link.query("post.list", {}), LinkUnavailable);
});
