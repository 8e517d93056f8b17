// The editor's Publish at field is in the site's time zone; the procedures take an instant with
// its offset (static/js/editor.js): the same wall-clock time is a different instant in summer
// and winter where the zone keeps daylight saving time.
import assert from "node:assert/strict";
import { test } from "node:test";

import { zonedToIso } from "../../static/js/editor.js";

test("UTC wall-clock times are those instants", () => {
  assert.equal(zonedToIso("2026-12-24T09:00", "UTC"), "2026-12-24T09:00:00.000Z");
});

test("a zone's offset is the one in force on that date", () => {
  assert.equal(zonedToIso("2026-12-24T09:00", "Europe/Paris"), "2026-12-24T08:00:00.000Z");
  assert.equal(zonedToIso("2026-07-01T09:00", "Europe/Paris"), "2026-07-01T07:00:00.000Z");
  assert.equal(zonedToIso("2026-07-01T09:00", "America/New_York"), "2026-07-01T13:00:00.000Z");
  assert.equal(zonedToIso("2026-12-24T23:30", "Asia/Kolkata"), "2026-12-24T18:00:00.000Z");
});

test("what is not a date and time is no instant", () => {
  assert.equal(zonedToIso("not a time", "UTC"), null);
});

test("seconds, when the field gives them, are kept", () => {
  assert.equal(zonedToIso("2026-12-24T09:00:30", "UTC"), "2026-12-24T09:00:30.000Z");
});
