// Chunking of large realtime messages, byte-compatible with chunking/codec.py.
//
// A message (the JSON text of one event) whose JSON-string form is over 230 KB is cut into
// byte ranges whose base64 text is at most 200 KB, so every frame stays under AppSync's
// 240 KB limit. Incoming chunks wait in a ChunkStore for at most one minute.

export const CHUNK_THRESHOLD_BYTES = 230 * 1024;
export const MAX_CHUNK_DATA_CHARS = 200 * 1024;
// Base64 turns 3 bytes into 4 characters: size the byte range after encoding.
export const CHUNK_BYTES = (MAX_CHUNK_DATA_CHARS / 4) * 3;
// Answers may exceed the server's 8 MiB limit on requests: a 2 MiB post of 3-byte characters
// comes back as its content and its HTML, about 12 MiB.
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
export const CHUNK_TTL_MS = 60_000;
export const MAX_PENDING_MESSAGES = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class InvalidChunk extends Error {}

/** Bytes the message takes inside a frame, as a JSON string. */
export function wireSize(message) {
  return encoder.encode(JSON.stringify(message)).length;
}

export function needsChunking(message) {
  return wireSize(message) > CHUNK_THRESHOLD_BYTES;
}

export function isChunk(event) {
  return event !== null && typeof event === "object" && event.type === "chunk";
}

function toBase64(bytes) {
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text) {
  if (typeof text !== "string" || !BASE64.test(text)) {
    throw new InvalidChunk("data is not valid base64.");
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** The chunk envelopes of `message`, in order. */
export function splitMessage(message, { messageId = crypto.randomUUID(), chunkBytes = CHUNK_BYTES } = {}) {
  const size = Math.min(chunkBytes, CHUNK_BYTES);
  const raw = encoder.encode(message);
  const total = Math.max(1, Math.ceil(raw.length / size));
  const chunks = [];
  for (let index = 0; index < total; index += 1) {
    chunks.push({
      type: "chunk",
      messageId,
      chunkIndex: index,
      totalChunks: total,
      data: toBase64(raw.subarray(index * size, (index + 1) * size)),
    });
  }
  return chunks;
}

function checkEnvelope(chunk) {
  const { messageId, chunkIndex, totalChunks, data } = chunk;
  if (typeof messageId !== "string" || !MESSAGE_ID.test(messageId)) {
    throw new InvalidChunk("messageId must be 1-64 letters, digits, '-' or '_'.");
  }
  if (!Number.isInteger(totalChunks) || totalChunks < 1) {
    throw new InvalidChunk("totalChunks must be a whole number of at least 1.");
  }
  if (totalChunks * CHUNK_BYTES > MAX_MESSAGE_BYTES + CHUNK_BYTES) {
    throw new InvalidChunk("The message is larger than the client accepts.");
  }
  if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= totalChunks) {
    throw new InvalidChunk(`chunkIndex must be between 0 and ${totalChunks - 1}.`);
  }
  if (typeof data !== "string" || data.length > MAX_CHUNK_DATA_CHARS) {
    throw new InvalidChunk("data must be base64 text of at most 200 KB.");
  }
}

/** Reassembles incoming chunks; a message still incomplete after `ttlMs` is dropped. */
export class ChunkStore {
  constructor({ ttlMs = CHUNK_TTL_MS, now = () => Date.now(), maxPending = MAX_PENDING_MESSAGES } = {}) {
    this.ttlMs = ttlMs;
    this.now = now;
    this.maxPending = maxPending;
    this.pending = new Map();
  }

  get size() {
    return this.pending.size;
  }

  /** Drop messages whose first chunk arrived more than `ttlMs` ago. */
  expire() {
    const cutoff = this.now() - this.ttlMs;
    for (const [messageId, entry] of this.pending) {
      if (entry.firstSeen <= cutoff) this.pending.delete(messageId);
    }
  }

  /** Add one chunk envelope; answers the whole message text once its last chunk is in, else null. */
  add(chunk) {
    checkEnvelope(chunk);
    const bytes = fromBase64(chunk.data);
    this.expire();
    let entry = this.pending.get(chunk.messageId);
    if (!entry) {
      if (this.pending.size >= this.maxPending) {
        throw new InvalidChunk("Too many incomplete messages.");
      }
      entry = { total: chunk.totalChunks, parts: new Map(), firstSeen: this.now() };
      this.pending.set(chunk.messageId, entry);
    }
    if (entry.total !== chunk.totalChunks) {
      throw new InvalidChunk("totalChunks differs from the message's first chunk.");
    }
    if (!entry.parts.has(chunk.chunkIndex)) entry.parts.set(chunk.chunkIndex, bytes);
    if (entry.parts.size < entry.total) return null;
    this.pending.delete(chunk.messageId);
    const parts = Array.from({ length: entry.total }, (_, index) => entry.parts.get(index));
    const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      whole.set(part, offset);
      offset += part.length;
    }
    try {
      return decoder.decode(whole);
    } catch {
      throw new InvalidChunk("The reassembled message is not UTF-8.");
    }
  }
}
