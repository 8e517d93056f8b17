// An unmodified @trpc/client v11 with httpBatchStreamLink and superjson (create-t3-app's
// default link) against a live Inkwell server. Reads the same environment as
// trpc_client.mjs (INKWELL_URL, INKWELL_SEED, INKWELL_TOKEN or INKWELL_HEADERS).
// Prints one JSON summary line; exits 1 on failure.
import assert from "node:assert/strict";
import { createTRPCClient, httpBatchStreamLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";

import { expectCode } from "./expect_code.mjs";

const url = `${process.env.INKWELL_URL}/api/trpc`;
const seed = JSON.parse(process.env.INKWELL_SEED ?? "{}");
const authHeaders = process.env.INKWELL_TOKEN
  ? { authorization: `Bearer ${process.env.INKWELL_TOKEN}` }
  : JSON.parse(process.env.INKWELL_HEADERS ?? "null");

// What went over the wire, seen through the link's own `fetch` option: the client is unchanged.
const exchanges = [];
let onResponse = () => {};
async function watchedFetch(input, init) {
  const response = await fetch(input, init);
  exchanges.push({ headers: new Headers(init?.headers), response });
  onResponse();
  return response;
}

const client = (options = {}) =>
  createTRPCClient({
    links: [httpBatchStreamLink({ url, transformer: superjson, fetch: watchedFetch, ...options })],
  });

const checks = [];
const check = (name) => checks.push(name);

// --- batched queries, one streamed request ----------------------------------------------
const anonymous = client();
exchanges.length = 0;
const [list, bySlug, profile] = await Promise.all([
  anonymous.post.list.query({ limit: 5 }),
  anonymous.post.bySlug.query({ slug: seed.postSlug }),
  anonymous.user.byId.query({ id: seed.authorId }),
]);
assert.equal(exchanges.length, 1, "one request for the batch");
assert.equal(exchanges[0].headers.get("trpc-accept"), "application/jsonl");
assert.equal(exchanges[0].response.status, 200);
assert.equal(exchanges[0].response.headers.get("content-type"), "application/json");
assert.match(exchanges[0].response.headers.get("vary"), /trpc-accept/i);
assert.ok(list.items.some((item) => item.slug === seed.postSlug));
assert.equal(bySlug.id, seed.postId);
assert.equal(profile.id, seed.authorId);
check("batched queries");

// --- Dates restored from each line's own superjson meta ---------------------------------
assert.ok(list.items.every((item) => item.createdAt instanceof Date), "dates restored");
assert.ok(bySlug.createdAt instanceof Date);
check("dates");

// --- an error beside a success in one batch ---------------------------------------------
exchanges.length = 0;
const [found, hidden, unknown] = await Promise.allSettled([
  anonymous.post.byId.query({ id: seed.postId }),
  anonymous.post.byId.query({ id: seed.draftId }),
  anonymous.post.list.query({ limit: 500 }),
]);
assert.equal(exchanges.length, 1);
assert.equal(found.status, "fulfilled");
assert.equal(found.value.slug, seed.postSlug);
assert.equal(hidden.status, "rejected");
assert.ok(hidden.reason instanceof TRPCClientError);
assert.equal(hidden.reason.data.code, "NOT_FOUND");
assert.equal(unknown.status, "rejected");
assert.equal(unknown.reason.data.code, "BAD_REQUEST");
assert.ok(unknown.reason.data.fieldErrors.limit);
check("error beside success");

// --- streamHeader "accept": Accept: application/jsonl instead of trpc-accept ------------
exchanges.length = 0;
const viaAccept = client({ streamHeader: "accept" });
const [first, second] = await Promise.all([
  viaAccept.post.list.query({ limit: 1 }),
  viaAccept.post.byId.query({ id: seed.postId }),
]);
assert.equal(exchanges[0].headers.get("accept"), "application/jsonl");
assert.equal(first.items.length, 1);
assert.ok(second.createdAt instanceof Date);
check("accept header");

// --- refused before streaming: an ordinary JSON error fails every call of the batch ----
const tooMany = await Promise.allSettled(
  Array.from({ length: 21 }, () => anonymous.post.list.query({ limit: 1 })),
);
for (const outcome of tooMany) {
  assert.equal(outcome.status, "rejected");
  assert.ok(outcome.reason instanceof TRPCClientError, String(outcome.reason));
  assert.equal(outcome.reason.data?.code, "BAD_REQUEST", outcome.reason.message);
  assert.equal(outcome.reason.message, "A batch holds at most 20 calls.");
}
check("batch too large");

// --- a client that leaves mid-stream: its calls end, the server carries on -------------
const leaving = new AbortController();
onResponse = () => leaving.abort(); // once the answer has started
const abandoned = await Promise.allSettled([
  anonymous.post.search.query({ query: "seeded" }, { signal: leaving.signal }),
  anonymous.post.list.query({ limit: 5 }, { signal: leaving.signal }),
]);
onResponse = () => {};
for (const outcome of abandoned) {
  assert.equal(outcome.status, "rejected");
  assert.ok(outcome.reason instanceof TRPCClientError);
}
const after = await anonymous.post.byId.query({ id: seed.postId });
assert.equal(after.id, seed.postId);
check("abort");

// --- signed in: mutations batched over POST, streamed too -------------------------------
let mutations = false;
if (authHeaders) {
  const author = client({ headers: authHeaders });
  const [me, post] = await Promise.all([
    author.user.me.query(),
    author.post.create.mutate({ title: "Streamed", content: "Over **JSONL**" }),
  ]);
  assert.equal(me.id, seed.authorId);
  assert.ok(me.createdAt instanceof Date);
  assert.match(post.contentHtml, /<strong>JSONL<\/strong>/);
  exchanges.length = 0;
  const [comment, refused] = await Promise.allSettled([
    author.comment.create.mutate({ postId: seed.postId, content: "Streamed comment" }),
    author.comment.create.mutate({ postId: seed.postId, content: "" }),
  ]);
  assert.equal(exchanges.length, 1, "one POST for both mutations");
  assert.equal(exchanges[0].headers.get("trpc-accept"), "application/jsonl");
  assert.equal(comment.status, "fulfilled");
  assert.equal(comment.value.content, "Streamed comment");
  assert.equal(refused.status, "rejected");
  assert.equal(refused.reason.data.code, "BAD_REQUEST");
  assert.deepEqual(await author.post.delete.mutate({ id: post.id }), { id: post.id });
  await expectCode(author.post.byId.query({ id: post.id }), "NOT_FOUND");
  mutations = true;
  check("mutations");
}

console.log(JSON.stringify({ ok: true, mutations, checks }));
