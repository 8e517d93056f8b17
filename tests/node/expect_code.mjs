// The one assertion both client checks share: a call fails with the given tRPC error code.
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";

export async function expectCode(promise, code) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TRPCClientError, `not a TRPCClientError: ${error}`);
    assert.equal(error.data?.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}
