// The browser's chunk codec and ChunkStore (static/js/chunking.js), on the shared vectors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  CHUNK_THRESHOLD_BYTES,
  ChunkStore,
  InvalidChunk,
  MAX_CHUNK_DATA_CHARS,
  needsChunking,
  splitMessage,
} from "../../static/js/chunking.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/chunks.json", import.meta.url)));

for (const vector of vectors.cases) {
  test(`splitting matches the shared vector: ${vector.name}`, () => {
    const chunks = splitMessage(vector.message, { messageId: vector.messageId, chunkBytes: vector.chunkBytes });
    assert.deepEqual(chunks, vector.chunks);
  });

  test(`the store reassembles the shared vector in reverse order: ${vector.name}`, () => {
    const store = new ChunkStore();
    const reversed = [...vector.chunks].reverse();
    const results = reversed.map((chunk) => store.add(chunk));
    assert.equal(results.at(-1), vector.message);
    assert.ok(results.slice(0, -1).every((result) => result === null));
    assert.equal(store.size, 0);
  });
}

test("messages over 230 KB need chunking, smaller ones don't", () => {
  assert.equal(needsChunking("x".repeat(CHUNK_THRESHOLD_BYTES - 10)), false);
  assert.equal(needsChunking("x".repeat(CHUNK_THRESHOLD_BYTES + 1)), true);
});

test("a 1 MiB message is cut into chunks of at most 200 KB of base64 and comes back whole", () => {
  const message = JSON.stringify({ content: "é".repeat(512 * 1024) });
  const chunks = splitMessage(message);
  assert.ok(chunks.length > 1);
  for (const chunk of chunks) assert.ok(chunk.data.length <= MAX_CHUNK_DATA_CHARS);
  const store = new ChunkStore();
  const shuffled = [chunks[2], chunks[0], ...chunks.slice(3), chunks[1]];
  let whole = null;
  for (const chunk of shuffled) whole = store.add(chunk) ?? whole;
  assert.equal(whole, message);
});

test("duplicate chunks count once", () => {
  const [first, second] = splitMessage("hello world", { messageId: "dup", chunkBytes: 6 });
  const store = new ChunkStore();
  assert.equal(store.add(first), null);
  assert.equal(store.add(first), null);
  assert.equal(store.add(second), "hello world");
});

test("an incomplete message is dropped after one minute", () => {
  let now = 0;
  const store = new ChunkStore({ now: () => now });
  const [first, second] = splitMessage("hello world", { messageId: "late", chunkBytes: 6 });
  store.add(first);
  now = 59_999;
  store.expire();
  assert.equal(store.size, 1);
  now = 60_000;
  store.expire();
  assert.equal(store.size, 0);
  // The second half alone starts a new, incomplete message instead of completing the old one.
  assert.equal(store.add(second), null);
});

test("bad chunks are refused with a clear error and leave the store intact", () => {
  const store = new ChunkStore();
  const [good] = splitMessage("hello world", { messageId: "m1", chunkBytes: 6 });
  store.add(good);
  const bad = [
    { ...good, data: "not base64!" },
    { ...good, chunkIndex: 5 },
    { ...good, chunkIndex: -1 },
    { ...good, totalChunks: 3 },
    { ...good, messageId: "../../etc" },
    { ...good, totalChunks: 0 },
    { ...good, data: "A".repeat(MAX_CHUNK_DATA_CHARS + 4) },
  ];
  for (const chunk of bad) assert.throws(() => store.add(chunk), InvalidChunk);
  assert.equal(store.size, 1);
});

test("too many incomplete messages are refused", () => {
  const store = new ChunkStore({ maxPending: 2 });
  for (const id of ["a", "b"]) store.add(splitMessage("hello world", { messageId: id, chunkBytes: 6 })[0]);
  assert.throws(() => store.add(splitMessage("hello world", { messageId: "c", chunkBytes: 6 })[0]), InvalidChunk);
});
