// Live updates: one realtime connection, new posts on the home page, new/edited/deleted
// comments in place on a post page (reloaded in place when the events missed during a
// disconnection are gone). Signed in, also the procedure link and forms sent exactly once,
// through the link when it is connected and over HTTP otherwise; signed out, the page's public
// read key and nothing else (read-only).

import { EventsClient, parsePosition } from "./appsync.js";
import { autosave } from "./autosave.js";
import { postForm } from "./editor.js";
import { imageUploads } from "./image_upload.js";
import { ProcedureError, SessionLink } from "./link.js";
import { mutateOnce } from "./submission.js";
import { query } from "./trpc_http.js";

const TOKEN_MARGIN_MS = 30_000;

/** Bearer tokens for the socket, fetched from the page's session and renewed before expiry. */
function tokenSource(url = "/auth/session-token") {
  let cached = null;
  return async () => {
    if (cached && cached.expiresAt - TOKEN_MARGIN_MS > Date.now()) return cached.headers;
    const response = await fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } });
    if (!response.ok) return {}; // the socket falls back to the session cookie
    const { token, expiresIn } = await response.json();
    cached = { headers: { Authorization: `Bearer ${token}` }, expiresAt: Date.now() + expiresIn * 1000 };
    return cached.headers;
  };
}

function showStatus(state) {
  const indicator = document.getElementById("live-status");
  if (!indicator) return;
  const labels = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", closed: "Offline" };
  indicator.hidden = false;
  indicator.dataset.state = state;
  indicator.textContent = labels[state] || state;
}

function announce(message) {
  const region = document.getElementById("live-announcements");
  if (region) region.textContent = message;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "25 Nov 2026" or "25 Nov 2026 01:42", in UTC like the server-rendered dates. */
function formatDate(iso, withTime) {
  const date = new Date(iso);
  const day = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
  if (!withTime) return day;
  const pad = (number) => String(number).padStart(2, "0");
  return `${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** The author link and date of a post or comment cloned from a <template>. */
function fillByline(element, data, withTime) {
  const author = element.querySelector("[data-field=author]");
  author.textContent = data.author.name;
  author.href = `/authors/${data.author.id}/`;
  const time = element.querySelector("time");
  // A post is dated by its publication, a comment by its writing.
  const when = data.publishedAt ?? data.createdAt;
  time.dateTime = when;
  time.textContent = formatDate(when, withTime);
}

// --- Home: new posts at the top ---------------------------------------------------------

function postArticle(data) {
  const template = document.getElementById("post-template");
  const article = template.content.firstElementChild.cloneNode(true);
  article.dataset.postId = data.id;
  const link = article.querySelector("[data-field=title]");
  link.textContent = data.title;
  link.href = data.url;
  fillByline(article, data, false);
  article.querySelector("[data-field=excerpt]").textContent = data.excerpt;
  return article;
}

/** This page of posts as the server has it now, keeping the articles still on it. */
async function reloadPosts(list) {
  const cursor = new URLSearchParams(window.location.search).get("after");
  const { items } = await query("post.list", cursor ? { cursor } : {});
  const articles = items.map((post) => {
    const article =
      list.querySelector(`[data-post-id="${CSS.escape(post.id)}"]`) ||
      postArticle({ ...post, url: `/posts/${encodeURIComponent(post.slug)}/` });
    article.querySelector("[data-field=title]").textContent = post.title;
    article.querySelector("[data-field=excerpt]").textContent = post.excerpt;
    showPostCommentCount(article, post.commentCount);
    return article;
  });
  if (!articles.length) {
    const empty = document.createElement("p");
    empty.className = "no-posts";
    empty.textContent = "No posts yet.";
    articles.push(empty);
  }
  list.replaceChildren(...articles);
}

// --- Comment counts, live, on each post of a list --------------------------------------

function showPostCommentCount(article, count) {
  const field = article.querySelector("[data-field=comments]");
  field.dataset.count = String(count);
  field.textContent = `${count} comment${count === 1 ? "" : "s"}`;
}

/**
 * Each listed post's comment count follows its comments channel, from the position the page
 * read with the count (data-comments-since) or, for a post that arrived live, from its start.
 * `watch(article)` subscribes once per post; `forget(id)` ends a removed post's subscription.
 */
function commentCounts(client, reload) {
  const subscriptions = new Map(); // post id -> Promise of its subscription
  const count = (article) => Number(article.querySelector("[data-field=comments]").dataset.count || 0);
  return {
    watch(article, since) {
      const id = article.dataset.postId;
      if (subscriptions.has(id)) return;
      const onEvent = (change) => {
        if (change.resource !== "comments") return;
        // Look the article up each time: a reload may have put a fresh one in its place.
        const shown = document.querySelector(`[data-live-posts] [data-post-id="${CSS.escape(id)}"]`);
        if (!shown) return;
        if (change.type === "created") showPostCommentCount(shown, count(shown) + 1);
        else if (change.type === "deleted") showPostCommentCount(shown, Math.max(0, count(shown) - 1));
      };
      const subscribing = client.subscribe(`/subscriptions/comments/${id}`, onEvent, { since, reload });
      subscriptions.set(id, subscribing);
      // A connection lost while subscribing: this count stays as the page has it until the
      // next reload watches the post again.
      subscribing.catch((error) => {
        subscriptions.delete(id);
        console.warn("A comment count is not live:", error);
      });
    },
    async forget(id) {
      const subscription = subscriptions.get(id);
      subscriptions.delete(id);
      try {
        if (subscription) await (await subscription).unsubscribe();
      } catch (error) {
        console.warn("Leaving a comment count failed:", error);
      }
    },
  };
}

/**
 * New posts wait behind a "Show N new posts" bar instead of moving the list under the reader's
 * eyes; a post edited or unpublished meanwhile is changed or dropped while it waits.
 */
function newPostsBar(list, counts) {
  const bar = document.getElementById("new-posts");
  const button = bar.querySelector("button");
  const waiting = new Map(); // post id -> its latest data, in order of arrival
  const refresh = () => {
    bar.hidden = waiting.size === 0;
    button.textContent = `Show ${waiting.size} new post${waiting.size === 1 ? "" : "s"}`;
  };
  button.addEventListener("click", () => {
    let first = null;
    for (const data of waiting.values()) {
      first = postArticle(data);
      first.classList.add("is-new");
      list.prepend(first);
      counts.watch(first, parsePosition(":0")); // a new post: every comment it has had counts
    }
    waiting.clear();
    refresh();
    list.querySelector(".no-posts")?.remove();
    first?.querySelector("[data-field=title]").focus(); // the newest, where reading resumes
  });
  return {
    add(data) {
      waiting.set(data.id, data);
      refresh();
    },
    update(id, data) {
      if (waiting.has(id)) waiting.set(id, data);
    },
    drop(id) {
      if (waiting.delete(id)) refresh();
    },
    clear() {
      waiting.clear();
      refresh();
    },
  };
}

/** `run`, but called again while it runs, the same run: many channels may ask at once. */
function coalesced(run) {
  let running = null;
  return () => (running ??= run().finally(() => (running = null)));
}

async function livePosts(client, list) {
  const reload = coalesced(async () => {
    await reloadPosts(list);
    bar.clear(); // the page shows them now
    // Posts the reload brought count on from now, their counts as it read them.
    for (const article of list.querySelectorAll("article[data-post-id]")) counts.watch(article, null);
  });
  const counts = commentCounts(client, reload);
  const bar = newPostsBar(list, counts);
  await client.subscribe("/subscriptions/posts", (change) => {
    if (change.resource !== "posts") return;
    const [id] = change.ids;
    const existing = list.querySelector(`[data-post-id="${CSS.escape(id)}"]`);
    if (change.type === "deleted") {
      if (existing) existing.remove();
      bar.drop(id);
      counts.forget(id);
    } else if (existing) {
      existing.querySelector("[data-field=title]").textContent = change.data.title;
      existing.querySelector("[data-field=excerpt]").textContent = change.data.excerpt;
    } else if (change.type === "created" && list.dataset.firstPage === "true") {
      bar.add(change.data);
      announce(`New post: ${change.data.title}`);
    } else bar.update(id, change.data);
  }, { reload, since: parsePosition(list.dataset.liveSince) });
  for (const article of list.querySelectorAll("article[data-post-id]")) {
    counts.watch(article, parsePosition(article.dataset.commentsSince));
  }
}

// --- Post page: comments in place -------------------------------------------------------

function commentItem(data, viewer) {
  const template = document.getElementById("comment-template");
  const item = template.content.firstElementChild.cloneNode(true);
  item.id = `comment-${data.id}`;
  item.dataset.commentId = data.id;
  fillByline(item, data, true);
  item.querySelector(".comment-body").textContent = data.content;
  const mayChange = viewer.id === data.author.id || viewer.isStaff;
  for (const link of item.querySelectorAll("[data-owner-action]")) {
    if (mayChange) link.href = link.dataset.href.replace("00000000-0000-0000-0000-000000000000", data.id);
    else link.remove();
  }
  for (const link of item.querySelectorAll("[data-reader-action]")) {
    if (viewer.id !== data.author.id) link.href = link.dataset.href.replace("00000000-0000-0000-0000-000000000000", data.id);
    else link.remove();
  }
  // A signed-out reader's template has no reply form.
  const parentInput = item.querySelector("input[name=parent_id]");
  if (parentInput) {
    parentInput.value = data.id;
    const textarea = item.querySelector("textarea");
    textarea.id = `reply-${data.id}`;
    item.querySelector("label[for]").htmlFor = textarea.id;
    // The honeypot (templates/_honeypot.html) gets an id of its own too; its value is never sent.
    const trap = item.querySelector(".honeypot input");
    if (trap) {
      trap.id = `reply-trap-${data.id}`;
      item.querySelector(".honeypot label").htmlFor = trap.id;
    }
  }
  return item;
}

function showCommentCount(section, count) {
  const heading = section.querySelector("#comments-heading");
  heading.dataset.count = String(count);
  heading.textContent = `${count} comment${count === 1 ? "" : "s"}`;
}

function setCommentCount(section, delta) {
  const heading = section.querySelector("#comments-heading");
  showCommentCount(section, Math.max(0, Number(heading.dataset.count || 0) + delta));
}

function insertComment(section, data, viewer) {
  if (document.getElementById(`comment-${data.id}`)) return;
  const parent = data.parentId && document.getElementById(`comment-${data.parentId}`);
  const list = parent ? parent.querySelector(":scope > .replies") : section.querySelector(".threads");
  list.append(commentItem(data, viewer));
  section.querySelector(".no-comments")?.remove();
  setCommentCount(section, +1);
}

/** A deleted comment's replies keep their place under a placeholder, as the server renders it. */
function showDeleted(item) {
  if (item.firstElementChild?.classList.contains("deleted")) return;
  for (const child of [...item.children]) if (!child.classList.contains("replies")) child.remove();
  const placeholder = document.createElement("p");
  placeholder.className = "deleted";
  placeholder.textContent = "[deleted]";
  item.prepend(placeholder);
}

function removeComment(section, id) {
  const item = document.getElementById(`comment-${id}`);
  if (!item || item.firstElementChild?.classList.contains("deleted")) return;
  if (item.querySelector(":scope > .replies > li")) showDeleted(item);
  else item.remove();
  setCommentCount(section, -1);
}

/**
 * The comments as the server has them now (comment.list: no page reload, no view counted),
 * merged in place: open reply forms and what is typed in them stay.
 */
async function reloadComments(section, postId, viewer) {
  const threads = await query("comment.list", { postId });
  const shown = new Set();
  let count = 0;
  const place = (nodes, list) => {
    for (const node of nodes) {
      shown.add(node.id);
      let item = document.getElementById(`comment-${node.id}`);
      if (!item) {
        item = commentItem(node, viewer);
        list.append(item);
      }
      if (node.isDeleted) showDeleted(item);
      else {
        count += 1;
        item.querySelector(":scope > .comment-body").textContent = node.content;
      }
      place(node.replies, item.querySelector(":scope > .replies"));
    }
  };
  place(threads, section.querySelector(".threads"));
  for (const item of section.querySelectorAll(".threads li[data-comment-id]")) {
    if (!shown.has(item.dataset.commentId)) item.remove();
  }
  showCommentCount(section, count);
  if (threads.length) section.querySelector(".no-comments")?.remove();
  else if (!section.querySelector(".no-comments")) {
    const empty = document.createElement("p");
    empty.className = "no-comments";
    empty.textContent = "No comments yet.";
    section.querySelector(".threads").after(empty);
  }
}

async function liveComments(client, section, postId, viewer) {
  const reload = () => reloadComments(section, postId, viewer);
  await client.subscribe(`/subscriptions/comments/${postId}`, (change) => {
    if (change.resource !== "comments") return;
    const [id] = change.ids;
    if (change.type === "created") {
      const isNew = !document.getElementById(`comment-${id}`);
      insertComment(section, change.data, viewer);
      if (isNew && change.data.author.id !== viewer.id) announce(`New comment by ${change.data.author.name}`);
    } else if (change.type === "deleted") removeComment(section, id);
    else if (change.type === "updated") {
      const body = document.querySelector(`#comment-${CSS.escape(id)} > .comment-body`);
      if (body) body.textContent = change.data.content;
    }
  }, { reload, since: parsePosition(section.dataset.liveSince) });
}

// --- Forms, each submission written once --------------------------------------------------

function showFormErrors(form, error) {
  let box = form.querySelector(".errors[data-live]");
  if (!box) {
    box = document.createElement("div");
    box.className = "errors";
    box.dataset.live = "";
    box.setAttribute("role", "alert");
    form.prepend(box);
  }
  const fieldErrors = (error instanceof ProcedureError && error.data.fieldErrors) || {};
  const messages = Object.values(fieldErrors).flat();
  box.textContent = messages.length ? messages.join(" ") : error.message;
}

// form -> {key, call}: the last submission that got no answer. It may have been written, so
// sending the same call again reuses its idempotency key; anything else is a new submission.
const unanswered = new WeakMap();

/** A function that sends one mutation for `form` exactly once (submission.js). */
function sender(form, link) {
  return async (path, input) => {
    const call = JSON.stringify([path, input]);
    const previous = unanswered.get(form);
    const idempotencyKey = previous && previous.call === call ? previous.key : crypto.randomUUID();
    unanswered.set(form, { key: idempotencyKey, call });
    const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
    const output = await mutateOnce({ link, path, input, idempotencyKey, csrfToken }).catch((error) => {
      if (error instanceof ProcedureError) unanswered.delete(form); // answered, if refused
      throw error;
    });
    unanswered.delete(form);
    return output;
  };
}

/** Send a form's submission as a mutation (`run` gets the submitter and a sender); a preview
 * posts as usual. */
async function submitOnce(event, form, link, run) {
  if (event.submitter && event.submitter.name === "preview") return;
  event.preventDefault();
  const buttons = form.querySelectorAll("button");
  buttons.forEach((button) => (button.disabled = true));
  try {
    await run(event.submitter, sender(form, link));
  } catch (error) {
    showFormErrors(form, error);
  } finally {
    buttons.forEach((button) => (button.disabled = false));
  }
}

function commentForms(section, link, postId, viewer) {
  // One listener for every comment form, including reply forms added live.
  section.addEventListener("submit", (event) => {
    const form = event.target.closest(".comment-form");
    if (!form) return;
    submitOnce(event, form, link, async (submitter, send) => {
      const parentId = form.querySelector("input[name=parent_id]")?.value || null;
      const content = form.querySelector("textarea[name=content]").value;
      const comment = await send("comment.create", { postId, content, parentId });
      insertComment(section, comment, viewer);
      form.reset();
      form.closest("details")?.removeAttribute("open");
      form.querySelector(".errors[data-live]")?.remove();
      // The writer's eyes (and a screen reader's cursor) go to what they just posted.
      const posted = document.getElementById(`comment-${comment.id}`);
      posted.tabIndex = -1;
      posted.focus();
    });
  });
}

// --- Start ----------------------------------------------------------------------------

function realtimeUrl() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/event/realtime`;
}

/**
 * A signed-out reader: the page's public read key (AppSync's apiKey authorization) subscribes
 * to the page's live channels, read-only: no session channel, and forms stay plain HTML.
 */
async function startReading(apiKey) {
  const postList = document.querySelector("[data-live-posts]");
  const article = document.querySelector("article.post[data-post-id]");
  const comments = document.getElementById("comments");
  if (!postList && !(comments && article)) return; // nothing on this page changes live
  const viewer = { id: null, isStaff: false };
  const client = new EventsClient({ url: realtimeUrl(), authorization: async () => ({ "x-api-key": apiKey }) });
  client.addEventListener("status", (event) => showStatus(event.detail));
  let subscribed = false;
  client.addEventListener("status", async (event) => {
    if (event.detail !== "live") return;
    // After a reconnect the client subscribes again by itself.
    try {
      if (!subscribed) {
        subscribed = true;
        if (postList) await livePosts(client, postList);
        if (comments && article) await liveComments(client, comments, article.dataset.postId, viewer);
      }
      document.body.dataset.live = "ready";
    } catch (error) {
      console.warn("Live updates are unavailable:", error);
    }
  });
  await client.connect();
  window.inkwell = { client };
}

async function start() {
  if (!document.body.dataset.userId) {
    const apiKey = document.querySelector("meta[name=inkwell-public-key]")?.content;
    if (apiKey) await startReading(apiKey);
    return;
  }
  const viewer = { id: document.body.dataset.userId, isStaff: document.body.dataset.userStaff === "true" };
  const client = new EventsClient({ url: realtimeUrl(), authorization: tokenSource() });
  client.addEventListener("status", (event) => showStatus(event.detail));
  const link = new SessionLink({ client });
  const postList = document.querySelector("[data-live-posts]");
  const article = document.querySelector("article.post[data-post-id]");
  const comments = document.getElementById("comments");
  const editor = document.querySelector("form.post-form");

  // Wire the forms first: until the link is ready they go over HTTP.
  if (comments && article) commentForms(comments, link, article.dataset.postId, viewer);
  if (editor) {
    postForm(editor, link, submitOnce);
    autosave(editor, link);
    imageUploads(editor);
  }

  client.addEventListener("status", async (event) => {
    if (event.detail !== "live") return;
    // After a reconnect the client subscribes again by itself (the session row outlives the
    // connection); only the first connection asks for the session and subscribes.
    try {
      if (!link.sessionId) {
        await link.start();
        if (postList) await livePosts(client, postList);
        if (comments && article) await liveComments(client, comments, article.dataset.postId, viewer);
      }
      document.body.dataset.live = "ready";
    } catch (error) {
      console.warn("Live updates are unavailable:", error);
    }
  });
  await client.connect();
  window.inkwell = { client, link };
}

start();
