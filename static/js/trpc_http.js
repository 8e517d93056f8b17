// Procedure calls over HTTP (docs/protocols/trpc-http.md), for when the live link is not
// connected: queries by GET, and mutations by POST with the page's CSRF token and an
// Idempotency-Key. Answers and errors have the link's shapes.

import { ProcedureError } from "./link.js";

/** The server was not reached, or did not answer with a tRPC envelope: nothing is known. */
export class NoAnswer extends Error {}

async function answerOf(request) {
  let response;
  try {
    response = await request;
  } catch (error) {
    throw new NoAnswer(error.message);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new NoAnswer(`The server answered ${response.status} without a tRPC envelope.`); // a proxy's page
  }
  if (body && body.error) throw new ProcedureError(body.error);
  if (!body || !body.result) throw new NoAnswer(`The server answered ${response.status} without a result.`);
  return body.result.data;
}

// Plain JSON both ways, whatever the server's default transformer.
const JSON_HEADERS = { accept: "application/json", "x-trpc-transformer": "json" };

export function query(path, input, { fetchImpl = globalThis.fetch } = {}) {
  const url = `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  return answerOf(fetchImpl(url, { credentials: "same-origin", headers: JSON_HEADERS }));
}

export function mutation(path, input, { idempotencyKey, csrfToken, fetchImpl = globalThis.fetch }) {
  return answerOf(
    fetchImpl(`/api/trpc/${path}`, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        ...JSON_HEADERS,
        "content-type": "application/json",
        // A call that changes nothing (post.preview) needs no key.
        ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
        "x-csrftoken": csrfToken,
      },
      body: JSON.stringify(input),
    }),
  );
}
