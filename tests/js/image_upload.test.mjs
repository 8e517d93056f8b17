// image.upload from the editor (static/js/image_upload.js): the FormData it sends, and the reason
// it shows for each way an upload can fail.
import assert from "node:assert/strict";
import { test } from "node:test";

import { uploadImage } from "../../static/js/image_upload.js";

function answering(status, body) {
  const calls = [];
  const fetchImpl = async (url, options) => {
    calls.push({ url, options });
    return {
      status,
      json: async () => {
        if (body === undefined) throw new SyntaxError("not JSON");
        return body;
      },
    };
  };
  return { calls, fetchImpl };
}

const file = new File([new Uint8Array([0x89, 0x50])], "photo.png", { type: "image/png" });

test("an upload is one FormData POST with the file, alt text, post and CSRF token", async () => {
  const image = { id: "i1", markdown: "![photo](/media/x.png)" };
  const { calls, fetchImpl } = answering(200, { result: { data: image } });

  const answer = await uploadImage(file, { alt: "photo", postId: "p1", csrf: "token", fetchImpl });

  assert.deepEqual(answer, image);
  assert.equal(calls.length, 1);
  const [{ url, options }] = calls;
  assert.equal(url, "/api/trpc/image.upload");
  assert.equal(options.method, "POST");
  assert.equal(options.headers["x-csrftoken"], "token");
  assert.equal(options.headers["content-type"], undefined); // the browser sets the boundary
  assert.equal(options.body.get("file").name, "photo.png");
  assert.equal(options.body.get("alt"), "photo");
  assert.equal(options.body.get("postId"), "p1");
});

test("a refused file shows the server's reason for the file field", async () => {
  const reason = "This file is not a JPEG, PNG, GIF or WebP image that can be read.";
  const { fetchImpl } = answering(400, {
    error: { message: "The input is not valid.", data: { fieldErrors: { file: [reason] } } },
  });

  await assert.rejects(uploadImage(file, { csrf: "t", fetchImpl }), { message: reason });
});

test("a proxy's 413 page without an envelope says the file is too large", async () => {
  const { fetchImpl } = answering(413, undefined);

  await assert.rejects(uploadImage(file, { csrf: "t", fetchImpl }), { message: "This file is too large." });
});

test("a network failure says the upload did not reach the server", async () => {
  const fetchImpl = async () => {
    throw new TypeError("Failed to fetch");
  };

  await assert.rejects(uploadImage(file, { csrf: "t", fetchImpl }), /did not reach the server/);
});
