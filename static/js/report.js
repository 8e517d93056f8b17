// Reporting without leaving the page: a "Report" link opens the report form in place and
// sends it through report.create; without JavaScript the link leads to the report page,
// which sends the same form. Any failure to reach the server falls back to that page.

import { ProcedureError } from "./link.js";
import { mutation } from "./trpc_http.js";

const REASONS = [
  ["spam", "Spam or advertising"],
  ["harassment", "Harassment or hate"],
  ["inappropriate", "Inappropriate or explicit"],
  ["off_topic", "Off topic"],
  ["other", "Something else"],
];
const DETAILS_MAX_LENGTH = 1000;
let formCount = 0;

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  const cookie = document.cookie.split("; ").find((pair) => pair.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

/** The item a link reports: { commentId } or { postId }. */
function itemOf(link) {
  const comment = link.closest("[data-comment-id]");
  if (comment) return { commentId: comment.dataset.commentId, kind: "comment" };
  const post = link.closest("article.post[data-post-id]");
  return { postId: post.dataset.postId, kind: "post" };
}

function element(tag, properties = {}, children = []) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

function buildForm(link, item) {
  formCount += 1;
  const id = `report-${formCount}`;
  const radios = REASONS.map(([value, label], index) =>
    element("label", {}, [
      element("input", { type: "radio", name: "reason", value, required: true, checked: index === 0 }),
      ` ${label}`,
    ]),
  );
  const details = element("textarea", { id: `${id}-details`, name: "details", rows: 2, maxLength: DETAILS_MAX_LENGTH });
  const errors = element("p", { className: "errors", hidden: true });
  errors.setAttribute("role", "alert");
  const cancel = element("button", { type: "button", textContent: "Cancel" });
  const form = element("form", { className: "report-form report-inline", method: "post", action: link.href }, [
    element("fieldset", {}, [element("legend", { textContent: `Report this ${item.kind}: what is wrong with it?` }), ...radios]),
    element("label", { htmlFor: details.id, textContent: "Anything the moderators should know (optional)" }),
    details,
    errors,
    element("p", { className: "confirm-actions" }, [element("button", { type: "submit", textContent: "Send report" }), " ", cancel]),
  ]);
  cancel.addEventListener("click", () => {
    form.remove();
    link.hidden = false;
    link.focus();
  });
  form.addEventListener("submit", (event) => send(event, form, link, item, errors));
  return form;
}

async function send(event, form, link, item, errors) {
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  const input = { reason: form.elements.reason.value, details: form.elements.details.value };
  if (item.commentId) input.commentId = item.commentId;
  else input.postId = item.postId;
  try {
    await mutation("report.create", input, { idempotencyKey: crypto.randomUUID(), csrfToken: csrfToken() });
  } catch (error) {
    if (!(error instanceof ProcedureError)) {
      window.location.assign(link.href); // not reached: the page sends it without JavaScript
      return;
    }
    const fields = error.data.fieldErrors || {};
    const first = Object.values(fields).flat()[0];
    errors.textContent = first || error.message;
    errors.hidden = false;
    button.disabled = false;
    return;
  }
  const thanks = element("p", { className: "report-sent", textContent: "Thank you: the moderators will look at it." });
  thanks.setAttribute("role", "status");
  form.replaceWith(thanks);
  link.remove();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[data-report]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  const form = buildForm(link, itemOf(link));
  link.hidden = true;
  link.after(form);
  form.querySelector("input[name=reason]").focus();
});
