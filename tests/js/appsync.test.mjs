// The browser's AppSync Events client (static/js/appsync.js) against a fake endpoint.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { EventsClient, OperationError } from "../../static/js/appsync.js";
import { FakeServer, tick } from "./fake_server.mjs";

const open = [];

// Every client is closed after its test, so no keep-alive watchdog outlives the test.
after(() => open.forEach((events) => events.close()));

function client(server, options = {}) {
  const events = new EventsClient({
    url: "ws://inkwell.test:8000/event/realtime",
    authorization: async () => ({ Authorization: "Bearer token-1" }),
    WebSocketImpl: server.WebSocket,
    ...options,
  });
  open.push(events);
  return events;
}

test("connecting offers the AppSync subprotocol and the headers, then goes live", async () => {
  const server = new FakeServer();
  const events = client(server);
  const statuses = [];
  events.addEventListener("status", (event) => statuses.push(event.detail));
  await events.connect();
  await tick();
  const [subprotocol, header] = server.socket.protocols;
  assert.equal(subprotocol, "aws-appsync-event-ws");
  assert.ok(!header.includes("="), "base64url without padding");
  const decoded = JSON.parse(Buffer.from(header.slice("header-".length), "base64url").toString());
  assert.deepEqual(decoded, { host: "inkwell.test:8000", Authorization: "Bearer token-1" });
  assert.deepEqual(server.received[0], { type: "connection_init" });
  assert.deepEqual(statuses, ["connecting", "live"]);
});

test("subscribed events arrive parsed, with the authorization on the subscribe", async () => {
  const server = new FakeServer();
  const events = client(server);
  await events.connect();
  await tick();
  const seen = [];
  await events.subscribe("/subscriptions/posts", (event) => seen.push(event));
  server.deliver("/subscriptions/posts", { resource: "posts", type: "created", ids: ["1"] });
  await tick();
  assert.deepEqual(seen, [{ resource: "posts", type: "created", ids: ["1"] }]);
  const subscribe = server.received.find((frame) => frame.type === "subscribe");
  assert.equal(subscribe.authorization.Authorization, "Bearer token-1");
});

test("a refused publish rejects with the server's error type", async () => {
  const server = new FakeServer();
  const events = client(server);
  await events.connect();
  await tick();
  await assert.rejects(events.publish("/subscriptions/posts", [{ x: 1 }]), (error) => {
    assert.ok(error instanceof OperationError);
    assert.equal(error.errorType, "UnauthorizedException");
    return true;
  });
});

test("after a lost connection it reconnects with backoff and subscribes again", async () => {
  const server = new FakeServer();
  const timers = [];
  const events = client(server, {
    random: () => 0.5,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  await events.connect();
  await tick();
  const seen = [];
  await events.subscribe("/subscriptions/posts", (event) => seen.push(event));
  server.socket.close();
  await tick();
  assert.equal(events.status, "reconnecting");
  const reconnect = timers.at(-1);
  assert.equal(reconnect.ms, 187.5, "the first retry within 250 ms");
  reconnect.fn();
  await tick();
  await tick();
  assert.equal(server.sockets.length, 2);
  assert.equal(events.status, "live");
  server.deliver("/subscriptions/posts", { again: true });
  await tick();
  assert.deepEqual(seen, [{ again: true }]);
});

test("retries start within 250 ms, jittered, and their delay doubles up to 10 s", async () => {
  const server = new FakeServer();
  server.receive = (socket) => socket.close(); // never acknowledged: every attempt fails
  const delays = (random) => {
    const timers = [];
    const events = client(server, { random: () => random, setTimer: (fn, ms) => timers.push({ fn, ms }), clearTimer: () => {} });
    return { events, timers };
  };
  const lowest = delays(0);
  const highest = delays(0.999);
  for (const { events, timers } of [lowest, highest]) {
    await events.connect();
    for (let attempt = 0; attempt < 12; attempt += 1) {
      await tick();
      timers.at(-1).fn();
    }
    await tick();
    events.close();
  }
  const waits = ({ timers }) => timers.map((timer) => timer.ms);
  assert.deepEqual(waits(lowest).slice(0, 3), [125, 250, 500]);
  assert.ok(waits(highest)[0] > 245 && waits(highest)[0] < 250, `first ${waits(highest)[0]}`);
  assert.ok(waits(highest).every((ms) => ms <= 10_000), "never more than 10 s");
  assert.equal(waits(lowest).at(-1), 5_000, "from half the cap at the cap");
  assert.ok(waits(highest).at(-1) > 9_990);
});

test("silence longer than the connection timeout closes the socket", async () => {
  const server = new FakeServer();
  const timers = [];
  const events = client(server, { setTimer: (fn, ms) => timers.push({ fn, ms }) && timers.length, clearTimer: () => {} });
  await events.connect();
  await tick();
  const watchdog = timers.find((timer) => timer.ms === 300000);
  assert.ok(watchdog, "a watchdog is armed for connectionTimeoutMs");
  watchdog.fn();
  await tick();
  assert.equal(server.sockets[0].closed, true);
  assert.equal(events.status, "reconnecting");
});

test("a connection_error over a limit is retried later, with the backoff", async () => {
  const server = new FakeServer();
  let refusals = 1;
  server.receive = (socket, frame) => {
    if (frame.type !== "connection_init") return;
    if (refusals-- > 0) {
      server.push(socket, { type: "connection_error", errors: [{ errorType: "LimitExceededException", message: "cap" }] });
    } else {
      server.push(socket, { type: "connection_ack", connectionTimeoutMs: 300000 });
    }
  };
  const timers = [];
  const events = client(server, { setTimer: (fn, ms) => timers.push({ fn, ms }) && timers.length, clearTimer: () => {} });
  await events.connect();
  await tick();
  await tick();
  assert.equal(events.status, "reconnecting");
  const retry = timers.find((timer) => timer.ms <= 250);
  assert.ok(retry, "a reconnection is scheduled within the first backoff step");
  retry.fn();
  await tick();
  await tick();
  assert.equal(server.sockets.length, 2);
  assert.equal(events.status, "live");
});

test("a connection_error stops the client instead of retrying", async () => {
  const server = new FakeServer();
  server.receive = (socket, frame) => {
    if (frame.type === "connection_init") {
      server.push(socket, { type: "connection_error", errors: [{ errorType: "UnauthorizedException", message: "no" }] });
    }
  };
  const events = client(server);
  await events.connect();
  await tick();
  await tick();
  assert.equal(events.status, "closed");
  assert.equal(server.sockets.length, 1);
});
