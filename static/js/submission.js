// A form's mutation, written exactly once however the connection fares. It carries an
// idempotency key made for the submission, goes over the live link when that is connected and
// over HTTP otherwise, and is sent again with the same key until an answer comes back: the
// server runs a key once per user and answers every retry with the first answer.

import { ProcedureError } from "./link.js";
import { mutation as mutationOverHttp } from "./trpc_http.js";

/** No answer came in time: the mutation may have run. Sent again with its key, it runs once. */
export class NotSent extends Error {}

// Answers that say "not now": nothing ran, and the same key may run later.
const NOT_NOW = new Set(["SERVICE_UNAVAILABLE", "TOO_MANY_REQUESTS"]);

/**
 * The output of mutation `path` with `input`, sent under `idempotencyKey` until answered; a
 * refusal rejects with its ProcedureError, and no answer within `deadlineMs` with NotSent.
 */
export async function mutateOnce({
  link,
  path,
  input,
  idempotencyKey,
  csrfToken,
  deadlineMs = 60_000,
  retryBaseMs = 250,
  retryMaxMs = 4_000,
  fetchImpl = globalThis.fetch,
  now = () => Date.now(),
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}) {
  const deadline = now() + deadlineMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      if (link.ready) return await link.mutation(path, input, { idempotencyKey });
      return await mutationOverHttp(path, input, { idempotencyKey, csrfToken, fetchImpl });
    } catch (error) {
      if (error instanceof ProcedureError && !NOT_NOW.has(error.code)) throw error;
      if (now() >= deadline) {
        throw new NotSent("Not sent: the site cannot be reached. Your text is kept; send it again.");
      }
    }
    await sleep(Math.min(retryMaxMs, retryBaseMs * 2 ** attempt));
  }
}
