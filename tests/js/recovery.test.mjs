// Recovery after a reconnect (static/js/appsync.js, docs/protocols/recovery.md): each channel is
// subscribed again from the last offset delivered, the missed events come once and in order,
// state is reloaded where they are gone, and "live" comes only once all of that is done.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { EventsClient, parsePosition } from "../../static/js/appsync.js";
import { FakeServer, tick } from "./fake_server.mjs";

const POSTS = "/subscriptions/posts";
const COMMENTS = "/subscriptions/comments/7d9c";
const open = [];
after(() => open.forEach((events) => events.close()));

/** A connected client whose reconnect timer runs when the test says (`reconnect()`). */
async function connected(server) {
  const timers = [];
  const events = new EventsClient({
    url: "ws://inkwell.test/event/realtime",
    WebSocketImpl: server.WebSocket,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  open.push(events);
  const statuses = [];
  events.addEventListener("status", (event) => statuses.push(event.detail));
  await events.connect();
  await tick();
  const reconnect = async () => {
    timers.at(-1).fn();
    await settle();
  };
  return { events, statuses, reconnect };
}

async function settle() {
  for (let round = 0; round < 5; round += 1) await tick();
}

/** A reload whose end the test decides, counting its calls. */
function controlledReload() {
  const reload = () => {
    reload.calls += 1;
    return new Promise((resolve, reject) => Object.assign(reload, { finish: resolve, fail: reject }));
  };
  reload.calls = 0;
  return reload;
}

/** The subscribe frames of the latest connection. */
const subscribesOn = (server) =>
  server.received
    .slice(server.received.findLastIndex((frame) => frame.type === "connection_init") + 1)
    .filter((frame) => frame.type === "subscribe");

test("after a reconnect each channel is subscribed again from the last offset it delivered", async () => {
  const server = new FakeServer();
  const { events, reconnect } = await connected(server);
  await events.subscribe(POSTS, () => {});
  await events.subscribe(COMMENTS, () => {});
  await events.subscribe("/trpc/5b1f6a52-8a43-4c39-9d8b-3f3b3f0e9a11", () => {});
  server.log(POSTS, { n: 1 });
  server.log(POSTS, { n: 2 });
  for (const n of [1, 2, 3]) server.log(COMMENTS, { n });
  await settle();
  server.socket.close();
  await settle();
  await reconnect();
  const since = Object.fromEntries(subscribesOn(server).map((frame) => [frame.channel, frame.since]));
  assert.deepEqual(since, {
    [POSTS]: { epoch: "e1", offset: 2 },
    [COMMENTS]: { epoch: "e1", offset: 3 },
    "/trpc/5b1f6a52-8a43-4c39-9d8b-3f3b3f0e9a11": undefined, // answers have no history
  });
});

test("the events missed arrive once and in order, and only then is the client live again", async () => {
  const server = new FakeServer();
  const { events, statuses, reconnect } = await connected(server);
  const seen = [];
  const reload = controlledReload();
  await events.subscribe(COMMENTS, (event) => seen.push(event.offset), { reload });
  server.log(COMMENTS, { n: 1 });
  await settle();
  statuses.length = 0;
  server.socket.close();
  await settle();
  for (const n of [2, 3, 4]) server.log(COMMENTS, { n }); // while disconnected
  server.holdBacklog();
  await reconnect();
  const [subscribe] = subscribesOn(server);
  assert.deepEqual(subscribe.since, { epoch: "e1", offset: 1 });
  assert.equal(events.status, "reconnecting", "subscribed again, but the missed events are not here yet");
  assert.deepEqual(seen, [1]);
  server.releaseBacklog();
  await settle();
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.deepEqual(statuses, ["reconnecting", "live"]);
  assert.equal(reload.calls, 0, "recovered: nothing is fetched again");
});

test("a repeated event, by offset, is delivered once", async () => {
  const server = new FakeServer();
  const { events } = await connected(server);
  const seen = [];
  await events.subscribe(COMMENTS, (event) => seen.push(event.offset));
  const first = server.log(COMMENTS, { n: 1 });
  server.deliver(COMMENTS, first); // at-least-once delivery to the layer
  const second = server.log(COMMENTS, { n: 2 });
  server.deliver(COMMENTS, first);
  server.deliver(COMMENTS, second);
  await settle();
  assert.deepEqual(seen, [1, 2]);
});

test("a not-recovered answer reloads the state; events meanwhile follow the reload, then it is live", async () => {
  const server = new FakeServer();
  const { events, statuses, reconnect } = await connected(server);
  const seen = [];
  const reload = controlledReload();
  await events.subscribe(COMMENTS, (event) => seen.push(event.offset), { reload });
  server.log(COMMENTS, { n: 1 });
  await settle();
  statuses.length = 0;
  server.socket.close();
  await settle();
  for (const n of [2, 3, 4]) server.log(COMMENTS, { n });
  server.prune(COMMENTS, 3); // the history no longer reaches back to offset 2
  await reconnect();
  assert.equal(reload.calls, 1);
  assert.equal(events.status, "reconnecting", "not live while reloading");
  server.log(COMMENTS, { n: 5 }); // live, during the reload
  server.deliver(COMMENTS, { ...server.histories.get(COMMENTS).events[3] }); // the head again: in the reload
  await settle();
  assert.deepEqual(seen, [1], "held back until the reload is done");
  reload.finish();
  await settle();
  assert.deepEqual(seen, [1, 5]);
  assert.deepEqual(statuses, ["reconnecting", "live"]);
  // It carries on from the head it was given: a later reconnect recovers from 5.
  server.socket.close();
  await settle();
  await reconnect();
  assert.deepEqual(subscribesOn(server)[0].since, { epoch: "e1", offset: 5 });
  assert.equal(reload.calls, 1);
});

test("a channel whose history was reset (new epoch) reloads", async () => {
  const server = new FakeServer();
  const { events, reconnect } = await connected(server);
  const reload = controlledReload();
  await events.subscribe(COMMENTS, () => {}, { reload });
  server.log(COMMENTS, { n: 1 });
  await settle();
  server.socket.close();
  await settle();
  server.log(COMMENTS, { n: 1 }, { epoch: "e2" });
  await reconnect();
  assert.equal(reload.calls, 1);
  reload.finish();
  await settle();
  assert.equal(events.status, "live");
});

test("a subscription that saw no event yet recovers from where the server said it started", async () => {
  const server = new FakeServer();
  const { events, reconnect } = await connected(server);
  const reload = controlledReload();
  const seen = [];
  await events.subscribe(COMMENTS, (event) => seen.push(event.n), { reload });
  server.socket.close();
  await settle();
  server.log(COMMENTS, { n: 1 }); // the channel's first event, while disconnected
  await reconnect();
  assert.deepEqual(subscribesOn(server)[0].since, { epoch: "", offset: 0 });
  assert.deepEqual(seen, [1]);
  assert.equal(reload.calls, 0);
  assert.equal(events.status, "live");
});

test("a subscription told no position (an older server) reloads after a reconnect", async () => {
  const server = new FakeServer();
  const { events, reconnect } = await connected(server);
  const reload = controlledReload();
  server.subscribed = (socket, frame) => server.push(socket, { type: "subscribe_success", id: frame.id });
  await events.subscribe(COMMENTS, () => {}, { reload });
  server.socket.close();
  await settle();
  await reconnect();
  assert.equal(subscribesOn(server)[0].since, undefined);
  assert.equal(reload.calls, 1);
  reload.finish();
  await settle();
  assert.equal(events.status, "live");
});

test("a page's own position is asked back on the first subscribe: what came meanwhile arrives", async () => {
  const server = new FakeServer();
  for (const n of [1, 2, 3]) server.log(COMMENTS, { n });
  const { events, statuses } = await connected(server);
  const seen = [];
  const reload = controlledReload();
  await events.subscribe(COMMENTS, (event) => seen.push(event.n), {
    reload,
    since: parsePosition("e1:1"), // the page was rendered after the first comment
  });
  await settle();
  assert.deepEqual(subscribesOn(server)[0].since, { epoch: "e1", offset: 1 });
  assert.deepEqual(seen, [2, 3]);
  assert.equal(reload.calls, 0);
  assert.equal(statuses.at(-1), "live");
});

test("positions are read as pages write them", () => {
  assert.deepEqual(parsePosition("9f86d081:42"), { epoch: "9f86d081", offset: 42 });
  assert.deepEqual(parsePosition(":0"), { epoch: "", offset: 0 });
  for (const bad of [undefined, "", "42", "e1:", "e1:-1", "e1:1.5", "e1:99999999999999999999"]) {
    assert.equal(parsePosition(bad), null, bad);
  }
});

test("a failed reload is not live: the client reconnects and reloads again", async () => {
  const server = new FakeServer();
  const { events, reconnect } = await connected(server);
  const reload = controlledReload();
  await events.subscribe(COMMENTS, () => {}, { reload });
  server.log(COMMENTS, { n: 1 });
  await settle();
  server.socket.close();
  await settle();
  server.prune(COMMENTS, 1);
  server.log(COMMENTS, { n: 2 });
  server.prune(COMMENTS, 2);
  await reconnect();
  const original = console.warn;
  console.warn = () => {};
  reload.fail(new Error("502"));
  await settle();
  console.warn = original;
  assert.equal(events.status, "reconnecting");
  assert.equal(server.sockets.at(-1).closed, true);
  await reconnect();
  assert.equal(reload.calls, 2, "reloaded again, although this time the history reached back");
  reload.finish();
  await settle();
  assert.equal(events.status, "live");
});

test("an offset that skips some reloads, since the events between are gone", async () => {
  const server = new FakeServer();
  const { events } = await connected(server);
  const seen = [];
  const reload = controlledReload();
  await events.subscribe(COMMENTS, (event) => seen.push(event.offset), { reload });
  server.log(COMMENTS, { n: 1 });
  await settle();
  server.histories.get(COMMENTS).events.push({ n: 2, epoch: "e1", offset: 2 }); // never sent
  server.log(COMMENTS, { n: 3 });
  await settle();
  assert.deepEqual(seen, [1, 3]);
  assert.equal(reload.calls, 1);
  reload.finish();
  await settle();
  assert.equal(events.status, "live");
});
