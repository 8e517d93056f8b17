// A form's mutation is written exactly once (static/js/submission.js): one idempotency key per
// submission, sent again with it, over the link or over HTTP, until an answer comes back.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { EventsClient } from "../../static/js/appsync.js";
import { ProcedureError, SessionLink } from "../../static/js/link.js";
import { NotSent, mutateOnce } from "../../static/js/submission.js";
import { FakeServer, tick } from "./fake_server.mjs";

const SESSION = "0e5d2b8c-1f3a-4c5e-9b7d-6a4f2c1e8d90";
const KEY = "3f2a4c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
const open = [];
after(() => open.forEach((client) => client.close()));

/** The server's side of idempotent calls: a key runs once per user, its retries get its answer. */
class KeyedCalls {
  constructor() {
    this.answers = new Map();
    this.writes = [];
  }

  answer(key, input) {
    if (!this.answers.has(key)) {
      this.writes.push(input);
      this.answers.set(key, { id: `c${this.writes.length}`, ...input });
    }
    return this.answers.get(key);
  }
}

const memoryStorage = () => {
  const values = new Map();
  return { getItem: (key) => values.get(key) ?? null, setItem: (key, value) => values.set(key, value) };
};

test("a submit whose answer is lost with the connection is sent again with its key and written once", async () => {
  const server = new FakeServer();
  const calls = new KeyedCalls();
  const requests = [];
  server.onPublish = (channel, event) => {
    if (event.type === "session.request") {
      setTimeout(() => server.deliver(channel, { type: "session.created", sessionId: SESSION }), 0);
      return;
    }
    requests.push(event);
    const output = calls.answer(event.idempotencyKey, event.params.input);
    // The first time, the process dies after the write, before its answer goes out.
    if (requests.length === 1) server.socket.close();
    else server.deliver(`/trpc/${SESSION}`, { id: event.id, result: { type: "data", data: output } });
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
  const link = new SessionLink({ client, storage: memoryStorage(), timeoutMs: 2000 });
  await link.start();

  const input = { postId: "p1", content: "Across a reconnect", parentId: null };
  const output = await mutateOnce({ link, path: "comment.create", input, idempotencyKey: KEY, csrfToken: "t" });

  assert.deepEqual(output, { id: "c1", ...input });
  assert.equal(requests.length, 2, "sent again after the reconnect");
  assert.deepEqual(
    requests.map((request) => request.idempotencyKey),
    [KEY, KEY],
  );
  assert.deepEqual(calls.writes, [input], "written once");
  assert.equal(server.sockets.length, 2);
});

/** A fetch that fails `failures` times (the server is down), then answers with `answer`. */
function flakyFetch(failures, answer) {
  const requests = [];
  const fetchImpl = async (url, init) => {
    requests.push({ url, ...init });
    if (requests.length <= failures) throw new TypeError("Failed to fetch");
    return { status: 200, json: async () => answer };
  };
  return { requests, fetchImpl };
}

const offline = { ready: false };
const noWait = { sleep: async () => {} };

test("without the live link it goes over HTTP with its key and the CSRF token, until answered", async () => {
  const { requests, fetchImpl } = flakyFetch(2, { result: { data: { id: "c1" } } });
  const input = { postId: "p1", content: "While reconnecting", parentId: null };
  const output = await mutateOnce({
    link: offline,
    path: "comment.create",
    input,
    idempotencyKey: KEY,
    csrfToken: "csrf-1",
    fetchImpl,
    ...noWait,
  });
  assert.deepEqual(output, { id: "c1" });
  assert.equal(requests.length, 3);
  for (const request of requests) {
    assert.equal(request.url, "/api/trpc/comment.create");
    assert.equal(request.method, "POST");
    assert.equal(request.headers["idempotency-key"], KEY);
    assert.equal(request.headers["x-csrftoken"], "csrf-1");
    assert.deepEqual(JSON.parse(request.body), input);
  }
});

test("a refusal is the answer: it is not sent again", async () => {
  const refusal = {
    error: { message: "Invalid", code: -32600, data: { code: "BAD_REQUEST", fieldErrors: { content: ["Required."] } } },
  };
  const { requests, fetchImpl } = flakyFetch(0, refusal);
  const call = { path: "comment.create", input: {}, idempotencyKey: KEY, csrfToken: "t" };
  await assert.rejects(
    mutateOnce({ link: offline, ...call, fetchImpl, ...noWait }),
    (error) => error instanceof ProcedureError && error.code === "BAD_REQUEST",
  );
  assert.equal(requests.length, 1);
});

test("with no answer by the deadline it gives up as not sent, so the same key can be sent again", async () => {
  const { fetchImpl } = flakyFetch(Infinity, null);
  let clock = 0;
  await assert.rejects(
    mutateOnce({
      link: offline,
      path: "comment.create",
      input: {},
      idempotencyKey: KEY,
      csrfToken: "t",
      fetchImpl,
      deadlineMs: 10_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    }),
    NotSent,
  );
  assert.ok(clock >= 10_000);
});
