// An unmodified @trpc/client v11 with splitLink: subscriptions by httpSubscriptionLink (Server-Sent
// Events, through the `eventsource` ponyfill Node needs), everything else by httpBatchLink, with
// superjson, against a live Inkwell server started with API_SSE_PING_MS=0 and
// API_SSE_RECONNECT_AFTER_INACTIVITY_MS=5000. Reads the same environment as trpc_client.mjs
// (INKWELL_URL, INKWELL_SEED, INKWELL_TOKEN: the author, who publishes). Prints one JSON summary
// line; exits 1 on failure.
import assert from "node:assert/strict";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";

const url = `${process.env.INKWELL_URL}/api/trpc`;
const seed = JSON.parse(process.env.INKWELL_SEED ?? "{}");
const authorization = `Bearer ${process.env.INKWELL_TOKEN}`;

// What the EventSource asked for, and a way to cut its connection, through the ponyfill's own
// `fetch` option: the client and the ponyfill are unchanged.
const requests = [];
let cutting = new AbortController();
function cuttableFetch(input, init) {
  requests.push({ url: new URL(input), lastEventId: new Headers(init?.headers).get("last-event-id") });
  const signal = AbortSignal.any([init.signal, cutting.signal].filter(Boolean));
  return fetch(input, { ...init, signal });
}

const client = (headers) =>
  createTRPCClient({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          EventSource,
          eventSourceOptions: { fetch: cuttableFetch },
        }),
        false: httpBatchLink({ url, transformer: superjson, headers }),
      }),
    ],
  });

const reader = client({});
const author = client({ authorization });
const checks = [];
const check = (name) => checks.push(name);

// A subscription's values, states and end, awaited in order.
function follow(procedure, input) {
  const queue = [];
  const waiters = [];
  const push = (item) => (waiters.length ? waiters.shift()(item) : queue.push(item));
  const subscription = procedure.subscribe(input, {
    onStarted: () => push({ kind: "started" }),
    onData: (value) => push({ kind: "data", value }),
    onError: (error) => push({ kind: "error", error }),
    onConnectionStateChange: (state) => push({ kind: "state", state: state.state }),
  });
  return {
    subscription,
    async next(kind, timeoutMs = 10000) {
      for (;;) {
        const item = queue.length
          ? queue.shift()
          : await Promise.race([
              new Promise((resolve) => waiters.push(resolve)),
              new Promise((_, reject) =>
                setTimeout(() => reject(new Error(`no ${kind} within ${timeoutMs} ms`)), timeoutMs),
              ),
            ]);
        if (item.kind === kind) return item;
        if (item.kind === "error") throw item.error;
      }
    },
    pending: () => queue.filter((item) => item.kind === "data"),
  };
}

const publish = (title) => author.post.create.mutate({ title, content: "Live", published: true });
const ids = (items) => items.map((item) => item.value.data.id);

// --- a post another user publishes arrives within a second ------------------------------
const live = follow(reader.post.onCreate, undefined);
await live.next("started");
const started = performance.now();
const first = await publish("Published while watched");
const seen = await live.next("data");
const latencyMs = performance.now() - started;
assert.ok(latencyMs < 1000, `took ${latencyMs} ms`);
assert.equal(seen.value.data.id, first.id);
assert.match(seen.value.id, /^[0-9a-f]+:\d+$/, "tracked: the event's id comes with it");
assert.ok(seen.value.data.createdAt instanceof Date, "dates restored");
check("published within a second");

// --- the stream is cut: EventSource reconnects with Last-Event-ID ------------------------
const cutAt = requests.length;
// A network failure, not an abort (which the ponyfill takes for its own close()).
cutting.abort(new Error("The connection was cut."));
cutting = new AbortController();
const whileCut = [await publish("Missed one"), await publish("Missed two")];
const afterCut = [await live.next("data"), await live.next("data")];
assert.deepEqual(ids(afterCut), whileCut.map((post) => post.id), "nothing lost, in order");
const reconnect = requests[cutAt];
assert.equal(reconnect.lastEventId, seen.value.id, "resumed by the Last-Event-ID header");
const fourth = await publish("After the cut");
const fourthSeen = await live.next("data");
assert.equal(fourthSeen.value.data.id, fourth.id, "nothing repeated");
check("resumed by Last-Event-ID");

// --- nothing heard for reconnectAfterInactivityMs: tRPC resumes with input.lastEventId --
const quietAt = requests.length;
while ((await live.next("state", 15000)).state !== "connecting");
const recreated = requests[quietAt];
assert.equal(recreated.lastEventId, null, "a new EventSource: no header");
const resumeInput = superjson.deserialize(JSON.parse(recreated.url.searchParams.get("input")));
assert.equal(resumeInput.lastEventId, fourthSeen.value.id, "the last id, in the input");
const missedQuietly = await publish("Missed quietly");
assert.equal((await live.next("data")).value.data.id, missedQuietly.id);
assert.deepEqual(live.pending(), [], "nothing repeated");
check("resumed by input.lastEventId");
live.subscription.unsubscribe();

// --- a draft's comments are refused: a plain JSON 404 that EventSource gives up on --------
const refused = follow(reader.comment.onAdd, { postId: seed.draftId });
const failure = await refused.next("error").catch((error) => ({ error }));
assert.ok(failure.error instanceof TRPCClientError);
refused.subscription.unsubscribe();
check("draft refused");

console.log(JSON.stringify({ ok: true, checks, latencyMs: Math.round(latencyMs) }));
process.exit(0);
