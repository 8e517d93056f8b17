// The post editor, enhanced: saves through the procedure link with a spoken confirmation and
// field errors beside their fields, a live preview rendered by the server (post.preview) as
// you type, a formatting toolbar and keyboard shortcuts. Without JavaScript the form posts as
// a plain page, its Preview button included, and none of this is needed.

import { ProcedureError } from "./link.js";
import { mutation as mutationOverHttp } from "./trpc_http.js";

const PREVIEW_DELAY_MS = 400;
const LINK_WAIT_MS = 10_000;
const FLASH_KEY = "inkwell.editor.status";
// The procedures' field names (camelCase) to the form's.
const FORM_FIELDS = { publishAt: "publish_at" };

// --- Status: the confirmation after a save --------------------------------------------------

function statusOf(form) {
  let status = form.querySelector(".editor-status");
  if (!status) {
    status = document.createElement("p");
    status.className = "editor-status";
    status.setAttribute("role", "status");
    form.querySelector(".buttons").after(status);
  }
  return status;
}

/** Say `text` in the form's status, with a link to `href` when given ("Published — view post"). */
function showStatus(form, { text, href = null, linkText = "view post" }) {
  const status = statusOf(form);
  const parts = [document.createTextNode(text)];
  if (href) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    parts.push(document.createTextNode(" — "), link);
  }
  status.replaceChildren(...parts);
}

/** A confirmation kept for the editor page a save moves to (the saved post's). */
function flashOnNextPage(message) {
  try {
    sessionStorage.setItem(FLASH_KEY, JSON.stringify(message));
  } catch {
    // Storage refused (private mode): the page's own state line still says what happened.
  }
}

function showFlash(form) {
  let message = null;
  try {
    message = JSON.parse(sessionStorage.getItem(FLASH_KEY) || "null");
    sessionStorage.removeItem(FLASH_KEY);
  } catch {
    return;
  }
  if (!message) return;
  statusOf(form); // the live region exists before its words, so screen readers say them
  setTimeout(() => showStatus(form, message), 50);
}

// --- Field errors beside their fields, as the page shows them without JavaScript ------------

function clearErrors(form) {
  for (const box of form.querySelectorAll(".errors[data-field-errors], .errors[data-live]")) box.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
  // Errors the server rendered (a page posted without the link) are answered now too.
  for (const box of form.querySelectorAll(".field > .errors")) box.remove();
}

function showFieldError(form, name, messages) {
  const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (!input) return false;
  const box = document.createElement("div");
  box.className = "errors";
  box.id = `${input.id}-errors`;
  box.dataset.fieldErrors = "";
  box.setAttribute("role", "alert");
  const list = document.createElement("ul");
  list.className = "errorlist";
  for (const message of messages) {
    const item = document.createElement("li");
    item.textContent = message;
    list.append(item);
  }
  box.append(list);
  input.before(box);
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", box.id);
  return true;
}

/** Show a refusal's field errors beside their fields; false if it has none to show there. */
function showFieldErrors(form, fieldErrors) {
  let first = null;
  for (const [field, messages] of Object.entries(fieldErrors || {})) {
    const name = FORM_FIELDS[field] || field;
    if (!showFieldError(form, name, messages)) return false;
    first = first || form.querySelector(`[name="${CSS.escape(name)}"]`);
  }
  if (first) first.focus();
  return first !== null;
}

// --- Publication times: the field is in the site's zone, the procedures take an offset ------

/** "2026-12-24T09:00" in `timeZone` as an ISO 8601 instant (with its offset, Z). */
export function zonedToIso(local, timeZone) {
  // Date's own parser takes almost anything ("not a time:00Z" is 1 Jan 2000): check the form.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return null;
  const asUtc = new Date(`${local.length === 16 ? `${local}:00` : local}Z`);
  if (Number.isNaN(asUtc.getTime())) return null;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(asUtc);
  const part = (type) => Number(parts.find((p) => p.type === type).value);
  const wallClock = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return new Date(asUtc.getTime() - (wallClock - asUtc.getTime())).toISOString();
}

function formatInZone(iso, timeZone) {
  const when = new Intl.DateTimeFormat("en-GB", {
    timeZone, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(new Date(iso));
  return `${when} ${timeZone}`;
}

function clockTime(timeZone) {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date());
}

// --- Saving ---------------------------------------------------------------------------------

/** A refusal shaped as the server's, shown on the Publish at field like its own. */
function scheduleRefused(message) {
  return new ProcedureError({ message, data: { code: "BAD_REQUEST", fieldErrors: { publishAt: [message] } } });
}

/** The mutation input of the form for `action` (save, publish, schedule, unschedule). */
function inputOf(form, action) {
  const value = (name) => form.querySelector(`[name=${name}]`).value;
  const input = { title: value("title"), content: value("content"), excerpt: value("excerpt") };
  // A saved post's editor has its slug (a new post takes one from its title).
  if (form.querySelector("[name=slug]")) input.slug = value("slug");
  if (form.querySelector("[name=tags]")) input.tags = value("tags").split(",");
  const cover = form.querySelector("[name=cover_image]:checked");
  if (cover) input.coverImageId = cover.value || null;
  const when = form.querySelector("[name=publish_at]");
  if (action === "publish") input.published = true;
  else if (action === "unschedule") input.publishAt = null;
  else if (when) {
    // Save keeps what the field shows (blank: not scheduled); Schedule insists on a time.
    if (action === "schedule" && !when.value) throw scheduleRefused("Choose when to publish.");
    // A field still showing the stored time (to the minute) leaves the schedule as it is.
    if (!form.dataset.postId || when.value !== when.defaultValue) {
      input.publishAt = when.value ? zonedToIso(when.value, when.dataset.timeZone || "UTC") : null;
      if (when.value && !input.publishAt) throw scheduleRefused("Enter a valid date/time.");
    }
  }
  return input;
}

function confirmation(post, action, timeZone) {
  const href = `/posts/${encodeURIComponent(post.slug)}/`;
  if (post.published) {
    return action === "publish" ? { text: "Published", href } : { text: "Saved", href };
  }
  if (post.publishAt) return { text: `Scheduled for ${formatInZone(post.publishAt, timeZone)}` };
  return { text: action === "unschedule" ? "Unscheduled: saved as a draft" : "Saved as a draft" };
}

/**
 * The editor, enhanced: its toolbar, its live preview, and its submissions sent through the
 * link (`submitOnce` from live.js sends each once). A save that changes only the words stays
 * on the page and says so; one that changes what the page shows around them (a new post,
 * publishing, a schedule, a slug) opens the saved post's editor, which says so.
 */
export function postForm(form, link, submitOnce) {
  toolbar(form);
  livePreview(form, link);
  const when = form.querySelector("[name=publish_at]");
  const timeZone = when?.dataset.timeZone || "UTC";
  showFlash(form);
  form.addEventListener("submit", (event) =>
    submitOnce(event, form, link, async (submitter, send) => {
      const action = submitter?.value || "save";
      clearErrors(form);
      try {
        const input = inputOf(form, action);
        const slugBefore = form.querySelector("[name=slug]")?.defaultValue;
        const post = form.dataset.postId
          ? await send("post.update", { id: form.dataset.postId, ...input })
          : await send("post.create", { ...input, published: action === "publish" });
        const message = confirmation(post, action, timeZone);
        const staysHere =
          form.dataset.postId && action === "save" && post.slug === slugBefore && (!when || when.value === when.defaultValue);
        if (staysHere) {
          // Timed, so a second save in a row still reads as news.
          showStatus(form, { ...message, text: `${message.text} at ${clockTime(timeZone)}` });
          return;
        }
        flashOnNextPage(message);
        window.location.assign(`/write/${post.id}/`);
      } catch (error) {
        if (error instanceof ProcedureError && showFieldErrors(form, error.data.fieldErrors)) return;
        throw error; // shown above the form (live.js)
      }
    }),
  );
}

// --- Live preview ---------------------------------------------------------------------------

/** The preview beside the text; it takes over from the one a Preview button's page shows
 * below the form, which would say the same thing twice. */
function previewSection(textarea) {
  document.querySelector("section.preview[aria-labelledby=preview-heading]")?.remove();
  const section = document.createElement("section");
  section.className = "preview live-preview";
  section.setAttribute("aria-labelledby", "live-preview-heading");
  const heading = document.createElement("h2");
  heading.id = "live-preview-heading";
  heading.textContent = "Preview";
  const body = document.createElement("div");
  body.className = "post-body";
  const note = document.createElement("p");
  note.className = "help";
  note.setAttribute("role", "status");
  section.append(heading, note, body);
  const field = textarea.closest(".field");
  const columns = document.createElement("div");
  columns.className = "editor-columns";
  field.before(columns);
  columns.append(field, section);
  return { body, note };
}

/**
 * Render the content as the post page will, `delayMs` after the last keystroke: through the
 * link when it is connected, over HTTP otherwise. Only the latest answer is shown.
 */
export function livePreview(form, link, { delayMs = PREVIEW_DELAY_MS } = {}) {
  const textarea = form.querySelector("textarea[name=content]");
  if (!textarea) return;
  const { body, note } = previewSection(textarea);
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
  let timer = null;
  let latest = 0;
  let shown = null;
  const render = async () => {
    const content = textarea.value;
    if (content === shown) return;
    const asked = ++latest;
    try {
      const input = { content };
      const { html } = link.ready
        ? await link.mutation("post.preview", input)
        : await mutationOverHttp("post.preview", input, { csrfToken });
      if (asked !== latest) return; // a newer keystroke's answer is on its way
      body.innerHTML = html; // sanitised by the server, exactly as the post's page shows it
      note.textContent = "";
      shown = content;
    } catch (error) {
      if (asked !== latest) return;
      const messages = error instanceof ProcedureError && error.data.fieldErrors?.content;
      note.textContent = `Preview not updated: ${messages ? messages.join(" ") : error.message}`;
      if (error instanceof ProcedureError && error.code === "TOO_MANY_REQUESTS") {
        clearTimeout(timer);
        timer = setTimeout(render, 5_000);
      }
    }
  };
  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(render, delayMs);
  });
  // The text the page opened with: through the link once it is up (it usually is within a
  // second), rather than a request of its own beside the socket's.
  linkUp(link, LINK_WAIT_MS).then(() => {
    if (shown === null && latest === 0) render();
  });
}

function linkUp(link, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const check = () => (link.ready || Date.now() - started > timeoutMs ? resolve() : setTimeout(check, 100));
    check();
  });
}

// --- Toolbar and shortcuts ------------------------------------------------------------------

/** Replace the selection with `before + selected + after`, keeping the selected words selected
 * (or `placeholder`, selected, when nothing was). */
function wrap(textarea, before, after, placeholder) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const selected = value.slice(start, end) || placeholder;
  textarea.focus();
  textarea.setRangeText(`${before}${selected}${after}`, start, end, "end");
  textarea.setSelectionRange(start + before.length, start + before.length + selected.length);
}

/** A link or image around the selection, its address selected to be typed over. */
function linkTo(textarea, prefix) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const text = value.slice(start, end) || (prefix ? "description" : "link text");
  const address = "https://";
  textarea.focus();
  textarea.setRangeText(`${prefix}[${text}](${address})`, start, end, "end");
  const addressStart = start + prefix.length + text.length + 3;
  textarea.setSelectionRange(addressStart, addressStart + address.length);
}

function code(textarea) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  if (value.slice(start, end).includes("\n")) wrap(textarea, "```\n", "\n```", "");
  else wrap(textarea, "`", "`", "code");
}

/** Make the selected lines (or the caret's) second-level headings. */
function heading(textarea) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const lineStart = value.lastIndexOf("\n", start - 1) + 1;
  const lines = value.slice(lineStart, end).split("\n");
  const marked = lines.map((line) => `## ${line.replace(/^#{1,6}\s+/, "")}`).join("\n");
  textarea.focus();
  textarea.setRangeText(marked, lineStart, end, "end");
}

const TOOLS = [
  { name: "Bold", label: "B", key: "b", act: (t) => wrap(t, "**", "**", "bold text") },
  { name: "Italic", label: "I", key: "i", act: (t) => wrap(t, "_", "_", "italic text") },
  { name: "Link", label: "Link", key: "k", act: (t) => linkTo(t, "") },
  { name: "Code", label: "Code", act: code },
  { name: "Image", label: "Image", act: (t) => linkTo(t, "!") },
  { name: "Heading", label: "H", act: heading },
];

function shortcut(tool) {
  return tool.key ? `Control+${tool.key.toUpperCase()} Meta+${tool.key.toUpperCase()}` : null;
}

/** A formatting toolbar above the content, one tab stop with arrow keys between its buttons
 * (the ARIA toolbar pattern), and Ctrl/⌘ + B, I, K in the text and Ctrl/⌘ + S in the form. */
export function toolbar(form) {
  const textarea = form.querySelector("textarea[name=content]");
  if (!textarea) return;
  const bar = document.createElement("div");
  bar.className = "editor-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  bar.setAttribute("aria-controls", textarea.id);
  const changed = () => textarea.dispatchEvent(new Event("input", { bubbles: true }));
  const buttons = TOOLS.map((tool, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = tool.label;
    button.setAttribute("aria-label", tool.name);
    button.dataset.tool = tool.name.toLowerCase();
    button.tabIndex = index === 0 ? 0 : -1;
    if (tool.key) {
      button.setAttribute("aria-keyshortcuts", shortcut(tool));
      button.title = `${tool.name} (Ctrl+${tool.key.toUpperCase()})`;
    } else button.title = tool.name;
    button.addEventListener("click", () => {
      tool.act(textarea);
      changed();
    });
    return button;
  });
  bar.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const current = buttons.indexOf(document.activeElement);
    const next = buttons[(current + step + buttons.length) % buttons.length];
    buttons.forEach((button) => (button.tabIndex = button === next ? 0 : -1));
    next.focus();
    event.preventDefault();
  });
  bar.append(...buttons);
  textarea.before(bar);

  textarea.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const tool = TOOLS.find((candidate) => candidate.key === event.key.toLowerCase());
    if (!tool) return;
    event.preventDefault();
    tool.act(textarea);
    changed();
  });
  form.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== "s") return;
    event.preventDefault(); // the browser's "save page" is never what is meant here
    const save = form.querySelector("button[name=action][value=save]");
    if (save && !save.disabled) form.requestSubmit(save);
  });
}
