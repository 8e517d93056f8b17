// The procedure link sends an unanswered chunked call again after a reconnect, with the same
// message id, and takes its answer then: the server keeps chunked calls and their answers.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { EventsClient } from "../../static/js/appsync.js";
import { SessionLink } from "../../static/js/link.js";
import { FakeServer, tick } from "./fake_server.mjs";

const SESSION = "7c2e0b61-4d0a-4f57-9a44-2f6a0a3c5d21";
const CHANNEL = `/trpc/${SESSION}`;
const open = [];
after(() => open.forEach((client) => client.close()));

/** A server whose process dies once, at the last chunk of the first chunked call: before
 * acknowledging it (`ackLost`) or after. Every later last chunk is answered. */
class CrashingServer extends FakeServer {
  constructor({ ackLost }) {
    super();
    this.ackLost = ackLost;
    this.crashed = false;
    this.chunks = [];
  }

  receive(socket, frame) {
    const event = frame.type === "publish" ? JSON.parse(frame.events[0]) : null;
    const isLast = event && event.type === "chunk" && event.chunkIndex === event.totalChunks - 1;
    if (isLast && !this.crashed && this.ackLost) {
      this.received.push(frame);
      this.chunks.push(event);
      this.crashed = true;
      socket.close();
      return;
    }
    super.receive(socket, frame);
    if (isLast && !this.crashed) {
      this.crashed = true;
      socket.close();
    }
  }
}

async function linkOn(server) {
  server.onPublish = (channel, event) => {
    if (event.type === "session.request") {
      setTimeout(() => server.deliver(channel, { type: "session.created", sessionId: SESSION }), 0);
      return;
    }
    if (event.type !== "chunk") return;
    server.chunks.push(event);
    if (event.chunkIndex !== event.totalChunks - 1 || !server.crashed) return;
    const parts = server.chunks.filter((chunk) => chunk.messageId === event.messageId);
    const request = JSON.parse(
      Buffer.concat(parts.slice(0, event.totalChunks).map((chunk) => Buffer.from(chunk.data, "base64"))).toString(),
    );
    server.deliver(CHANNEL, { id: request.id, result: { type: "data", data: { title: request.params.input.title } } });
  };
  const client = new EventsClient({
    url: "ws://inkwell.test/event/realtime",
    WebSocketImpl: server.WebSocket,
    backoffBaseMs: 1,
    random: () => 0,
  });
  open.push(client);
  await client.connect();
  await tick();
  const storage = new Map();
  const link = new SessionLink({
    client,
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => storage.set(key, value) },
    timeoutMs: 2000,
  });
  await link.start();
  return link;
}

for (const ackLost of [false, true]) {
  const when = ackLost ? "before acknowledging" : "after acknowledging";
  test(`a chunked call whose server died ${when} its last chunk is sent again and answered`, async () => {
    const server = new CrashingServer({ ackLost });
    const link = await linkOn(server);
    const answer = await link.mutation("post.create", { title: "Big", content: "x".repeat(400 * 1024) });
    assert.deepEqual(answer, { title: "Big" });
    const [first] = server.chunks;
    const sent = server.chunks.filter((chunk) => chunk.chunkIndex === first.totalChunks - 1);
    assert.equal(sent.length, 2, "the last chunk went twice");
    assert.ok(server.chunks.every((chunk) => chunk.messageId === first.messageId), "with one message id");
    assert.equal(server.sockets.length, 2);
    // The re-sent call went out only once a subscription to the channel was live again.
    const second = server.received.slice(server.received.findLastIndex((frame) => frame.type === "connection_init"));
    const subscribed = second.findIndex((frame) => frame.type === "subscribe" && frame.channel === CHANNEL);
    const resent = second.findIndex((frame) => frame.type === "publish");
    assert.ok(subscribed >= 0 && subscribed < resent);
    assert.equal(link.calls.size, 0);
  });
}
