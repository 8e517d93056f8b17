// Autosave for the post editor. After a pause in typing, a draft is saved with post.autosave
// (through the procedure link when it is live, over HTTP otherwise); a new post becomes a draft
// on its first autosave and the page then points at it, so the next one updates it. A
// published post is never autosaved (readers must not see half-typed text): it only warns
// before leaving with unsaved changes. What happens is said in a polite aria-live region.

import { ProcedureError } from "./link.js";
import { mutateOnce } from "./submission.js";

const FIELDS = ["title", "content", "excerpt"];
// How long a save may take (sent again meanwhile, with its key) before it counts as failed.
const SAVE_DEADLINE_MS = 8_000;
const RETRY_DELAYS_MS = [3_000, 10_000, 30_000];

function statusRegion(form) {
  const region = document.createElement("span");
  region.className = "autosave-status";
  region.id = "autosave-status";
  region.setAttribute("aria-live", "polite");
  (form.querySelector(".buttons") || form).append(region);
  return region;
}

function clock(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** Autosave `form` (the editor) through `link`; `pauseMs` of no typing starts a save. */
export function autosave(form, link, { pauseMs = 2_000 } = {}) {
  const region = statusRegion(form);
  const show = (text, state = "") => {
    region.textContent = text;
    region.dataset.state = state;
  };
  const value = (name) => form.querySelector(`[name=${name}]`)?.value ?? "";
  const snapshot = () => JSON.stringify(FIELDS.map(value));
  const isPublished = form.dataset.published === "true";
  // What the server has: the page's text for a saved post, nothing yet for a new one.
  let saved = form.dataset.postId ? snapshot() : JSON.stringify(FIELDS.map(() => ""));
  let timer = null;
  let inFlight = null; // the save being sent, if any
  let retries = 0;
  let stopped = false; // a conflict: saving over the other change would lose it
  let submitting = false;
  let attempt = null; // {text, key}: the same text sent again keeps its idempotency key

  const isDirty = () => snapshot() !== saved;
  const schedule = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  };

  function pointAt(answer) {
    // The new post exists: this page is its editor from now on (Save updates it).
    form.dataset.postId = answer.id;
    form.action = `/write/${answer.id}/`;
    if (!form.querySelector("[name=slug]")) {
      const slug = document.createElement("input");
      slug.type = "hidden";
      slug.name = "slug";
      slug.value = answer.slug;
      form.append(slug);
    }
    history.replaceState(history.state, "", `/write/${answer.id}/`);
  }

  async function save() {
    if (inFlight || stopped || submitting || !isDirty()) return;
    const [title, content, excerpt] = FIELDS.map(value);
    if (!title.trim()) {
      show("Autosave starts once the post has a title.");
      return;
    }
    const text = snapshot();
    if (!attempt || attempt.text !== text) attempt = { text, key: crypto.randomUUID() };
    const input = { title, content, excerpt };
    if (form.dataset.postId) Object.assign(input, { id: form.dataset.postId, baseRevisionId: form.dataset.revisionId || null });
    show("Saving…");
    try {
      const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
      inFlight = mutateOnce({
        link, path: "post.autosave", input, idempotencyKey: attempt.key, csrfToken, deadlineMs: SAVE_DEADLINE_MS,
      });
      const answer = await inFlight;
      saved = text;
      attempt = null;
      retries = 0;
      form.dataset.revisionId = answer.revisionId;
      if (!form.dataset.postId) pointAt(answer);
      show(`Saved ${clock(new Date())}`);
    } catch (error) {
      if (error instanceof ProcedureError) {
        attempt = null;
        if (error.code === "CONFLICT") stopped = true;
        const fieldErrors = Object.values(error.data.fieldErrors || {}).flat();
        show(`Not saved — ${fieldErrors.length ? fieldErrors.join(" ") : error.message}`, "failed");
      } else {
        show("Not saved — retrying", "failed");
        schedule(RETRY_DELAYS_MS[Math.min(retries, RETRY_DELAYS_MS.length - 1)]);
        retries += 1;
      }
      return;
    } finally {
      inFlight = null;
    }
    if (isDirty()) schedule(pauseMs); // typed on while it was saving
  }

  form.addEventListener("input", (event) => {
    if (!FIELDS.includes(event.target.name)) return;
    submitting = false;
    if (isPublished) show("Unsaved changes");
    else if (!stopped) schedule(pauseMs);
  });
  // A submission takes the text with it (or shows why not, and the next keystroke re-arms).
  // While the autosave that creates a new post is on its way, the submission waits for it
  // (this capturing listener runs before the editor's own), so the post is not created twice.
  form.addEventListener("submit", (event) => {
    if (inFlight && !form.dataset.postId) {
      event.preventDefault();
      event.stopImmediatePropagation();
      const { submitter } = event;
      inFlight.catch(() => {}).then(() => form.requestSubmit(submitter || undefined));
      return;
    }
    submitting = true;
    clearTimeout(timer);
  }, { capture: true });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !isDirty()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers show their warning only with this set
  });
}
