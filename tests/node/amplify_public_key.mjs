// The unmodified aws-amplify `events` client (Amplify v6, from the npm registry) configured for
// AppSync Events' apiKey authorization, as a signed-out reader would use it, against a live
// Inkwell server. Amplify always speaks wss://, so the server runs Daphne with TLS and Node
// trusts its certificate (NODE_EXTRA_CA_CERTS). Node 20 has no WebSocket of its own: Amplify
// is handed the `ws` package's, the one thing supplied from outside.
//
// Environment: INKWELL_URL (https://127.0.0.1:<port>), INKWELL_SEED (seed_server.py's JSON),
// INKWELL_TOKEN (the author's Bearer token, to write the comment over tRPC's HTTP),
// INKWELL_PUBLIC_KEY. Prints one JSON summary line; exits 1 on failure.
import assert from "node:assert/strict";
import { WebSocket } from "ws";

globalThis.WebSocket = WebSocket;

const { Amplify } = await import("aws-amplify");
const { events } = await import("aws-amplify/data");

const base = process.env.INKWELL_URL;
const seed = JSON.parse(process.env.INKWELL_SEED ?? "{}");
const apiKey = process.env.INKWELL_PUBLIC_KEY;

Amplify.configure({
  API: { Events: { endpoint: `${base}/event`, region: "us-east-1", defaultAuthMode: "apiKey", apiKey } },
});

const checks = [];
const check = (name) => checks.push(name);

function within(ms, promise, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)),
  ]);
}

/** Subscribe through `events`; resolves with {channel, next()} once the server said yes. */
async function follow(path) {
  const channel = await events.connect(path);
  const queue = [];
  const waiters = [];
  const failures = [];
  const subscription = channel.subscribe({
    next: (data) => (waiters.length ? waiters.shift()(data) : queue.push(data)),
    error: (error) => failures.push(error),
  });
  await within(10_000, subscription.ready, `subscribe_success on ${path}`);
  return {
    channel,
    failures,
    next: () => within(10_000, queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)), "event"),
  };
}

/** The errorType of whatever Amplify rejected or reported with. */
function errorTypeOf(error) {
  const text = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}));
  const found = /UnauthorizedException|LimitExceededException|BadRequestException/.exec(text);
  return found ? found[0] : text;
}

// 1. A published post's comments: a new comment arrives.
const comments = await follow(`/subscriptions/comments/${seed.postId}`);
check("subscribed with the key");
const started = Date.now();
const written = await fetch(`${base}/api/trpc/comment.create`, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${process.env.INKWELL_TOKEN}` },
  body: JSON.stringify({ postId: seed.postId, content: "Seen by a signed-out reader" }),
});
assert.equal(written.status, 200, await written.text());
const event = await comments.next();
const latencyMs = Date.now() - started;
const change = typeof event === "string" ? JSON.parse(event) : (event.event ?? event);
const parsed = typeof change === "string" ? JSON.parse(change) : change;
assert.equal(parsed.resource, "comments");
assert.equal(parsed.type, "created");
assert.equal(parsed.data.content, "Seen by a signed-out reader");
check("received a new comment");

// 2. Publishing with the key is refused, on the subscribed channel and on a session channel.
let refused = null;
try {
  await comments.channel.publish({ content: "spam" });
} catch (error) {
  refused = error;
}
assert.ok(refused, "a publish with the key was accepted");
assert.equal(errorTypeOf(refused), "UnauthorizedException");
check("publish refused");

// 3. A draft's comments and a session channel cannot be subscribed to.
for (const path of [`/subscriptions/comments/${seed.draftId}`, `/trpc/${crypto.randomUUID()}`]) {
  const channel = await events.connect(path);
  const subscription = channel.subscribe({ next: () => {}, error: () => {} });
  let error = null;
  try {
    await within(10_000, subscription.ready, `an answer on ${path}`);
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `${path} was subscribed to with a public key`);
  assert.equal(errorTypeOf(error), "UnauthorizedException", String(error));
  channel.close();
}
check("draft and session channels refused");

// 4. The first subscription kept working through the refusals.
const again = await fetch(`${base}/api/trpc/comment.create`, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${process.env.INKWELL_TOKEN}` },
  body: JSON.stringify({ postId: seed.postId, content: "Still live" }),
});
assert.equal(again.status, 200);
const second = await comments.next();
assert.match(JSON.stringify(second), /Still live/);
check("still live after the refusals");
comments.channel.close();

console.log(JSON.stringify({ checks, latencyMs }));
process.exit(0);
