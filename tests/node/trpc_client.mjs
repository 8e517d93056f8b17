// An unmodified @trpc/client v11 (httpBatchLink + superjson, and httpLink without a
// transformer) against a live Inkwell server. Reads:
//   INKWELL_URL      the server, e.g. http://127.0.0.1:8000
//   INKWELL_SEED     JSON printed by seed_server.py (slugs, ids)
//   INKWELL_TOKEN    a Bearer token for the author (mutations), or
//   INKWELL_HEADERS  JSON headers that sign the author in (a browser session + CSRF token)
// Without either, only the anonymous part runs. Prints one JSON summary line; exits 1 on failure.
import assert from "node:assert/strict";
import { createTRPCClient, httpBatchLink, httpLink } from "@trpc/client";
import superjson from "superjson";

import { expectCode } from "./expect_code.mjs";

const url = `${process.env.INKWELL_URL}/api/trpc`;
const seed = JSON.parse(process.env.INKWELL_SEED ?? "{}");
const authHeaders = process.env.INKWELL_TOKEN
  ? { authorization: `Bearer ${process.env.INKWELL_TOKEN}` }
  : JSON.parse(process.env.INKWELL_HEADERS ?? "null");

const client = (headers = {}) =>
  createTRPCClient({ links: [httpBatchLink({ url, transformer: superjson, headers })] });

const checks = [];
const check = (name) => checks.push(name);

// --- anonymous: list, read, search, batching, errors ------------------------------------
const anonymous = client();
const [list, bySlug, profile] = await Promise.all([
  anonymous.post.list.query({ limit: 5 }),
  anonymous.post.bySlug.query({ slug: seed.postSlug }),
  anonymous.user.byId.query({ id: seed.authorId }),
]); // one batched request
assert.ok(list.items.some((item) => item.slug === seed.postSlug));
assert.ok(list.items.every((item) => item.createdAt instanceof Date), "dates restored");
assert.ok(!list.items.some((item) => item.id === seed.draftId), "no drafts for anonymous");
check("post.list");
assert.equal(bySlug.id, seed.postId);
assert.match(bySlug.contentHtml, /<em>seeded<\/em>/);
assert.ok(Number.isInteger(bySlug.viewCount));
check("post.bySlug");
assert.equal(profile.email, undefined);
check("user.byId");

const byId = await anonymous.post.byId.query({ id: seed.postId });
assert.equal(byId.slug, seed.postSlug);
check("post.byId");

const found = await anonymous.post.search.query({ query: "seeded" });
assert.ok(found.items.some((item) => item.id === seed.postId));
assert.match(found.items[0].headline, /<mark>/);
check("post.search");

const thread = await anonymous.comment.list.query({ postId: seed.postId });
assert.equal(thread[0].content, "First!");
assert.ok(Array.isArray(thread[0].replies));
check("comment.list");

await expectCode(anonymous.post.byId.query({ id: seed.draftId }), "NOT_FOUND");
await expectCode(anonymous.user.me.query(), "UNAUTHORIZED");
const invalid = await expectCode(anonymous.post.list.query({ limit: 500 }), "BAD_REQUEST");
assert.ok(invalid.data.fieldErrors.limit);
check("errors");

const plain = createTRPCClient({ links: [httpLink({ url })] });
const plainList = await plain.post.list.query({ limit: 1 });
assert.equal(typeof plainList.items[0].createdAt, "string");
check("httpLink without transformer");

// --- signed in: create, update, delete posts and comments -------------------------------
let mutations = false;
if (authHeaders) {
  const author = client(authHeaders);
  const me = await author.user.me.query();
  assert.equal(me.id, seed.authorId);
  assert.ok(me.createdAt instanceof Date);

  const post = await author.post.create.mutate({ title: "From Node", content: "Hello **Node**" });
  assert.equal(post.published, false);
  assert.match(post.contentHtml, /<strong>Node<\/strong>/);
  const published = await author.post.update.mutate({ id: post.id, published: true });
  assert.equal(published.published, true);
  assert.ok(published.updatedAt >= post.updatedAt);

  const comment = await author.comment.create.mutate({ postId: post.id, content: "Top" });
  const reply = await author.comment.create.mutate({
    postId: post.id,
    content: "Reply",
    parentId: comment.id,
  });
  assert.equal(reply.parentId, comment.id);
  const edited = await author.comment.update.mutate({ id: reply.id, content: "Edited" });
  assert.equal(edited.content, "Edited");
  const tree = await author.comment.list.query({ postId: post.id });
  assert.equal(tree[0].replies[0].content, "Edited");
  assert.deepEqual(await author.comment.delete.mutate({ id: reply.id }), { id: reply.id });

  await expectCode(anonymous.post.delete.mutate({ id: post.id }), "UNAUTHORIZED");
  assert.deepEqual(await author.post.delete.mutate({ id: post.id }), { id: post.id });
  await expectCode(author.post.byId.query({ id: post.id }), "NOT_FOUND");
  mutations = true;
  check("mutations");
}

console.log(JSON.stringify({ ok: true, mutations, checks }));
