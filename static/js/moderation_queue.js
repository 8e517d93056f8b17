// The moderation queue, live: the admin page subscribes to the moderators' channel (the
// server lets editors only) and, when a report arrives or another moderator resolves one,
// fetches the queue again and puts it in place. Without JavaScript the page is the same,
// as of its loading.

import { EventsClient } from "./appsync.js";

// Reports and their resolutions; new comments held for review.
const CHANNELS = ["/subscriptions/moderation", "/subscriptions/held-comments"];

function showStatus(state) {
  const indicator = document.getElementById("queue-live-status");
  if (!indicator) return;
  const labels = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", closed: "Offline" };
  indicator.hidden = false;
  indicator.dataset.state = state;
  indicator.textContent = labels[state] || state;
}

/** The queue as the server renders it now, in place of the one shown. A note being typed
 * stays: the refresh waits until the moderator leaves the field. */
async function refresh(section) {
  const active = document.activeElement;
  if (active && section.contains(active) && active.matches("input[type=text]") && active.value) {
    active.addEventListener("blur", () => refresh(section), { once: true });
    return;
  }
  const response = await fetch(window.location.href, { credentials: "same-origin", headers: { accept: "text/html" } });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("moderation-queue");
  if (fresh) section.replaceChildren(...fresh.childNodes);
}

async function main() {
  const section = document.querySelector("[data-live-queue]");
  if (!section) return;
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  // The socket is signed in by the admin's session cookie (a same-origin page).
  const client = new EventsClient({ url: `${scheme}://${window.location.host}/event/realtime` });
  client.addEventListener("status", (event) => showStatus(event.detail));
  let pending = null;
  const onChange = () => {
    // A burst of reports is one refresh.
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      refresh(section).catch(() => {});
    }, 150);
  };
  let subscribed = false;
  client.addEventListener("status", async (event) => {
    // After a reconnect the client subscribes again by itself; the first "live" subscribes.
    if (event.detail !== "live" || subscribed) return;
    subscribed = true;
    try {
      for (const channel of CHANNELS) {
        await client.subscribe(channel, onChange, { reload: () => refresh(section) });
      }
      document.body.dataset.live = "ready";
    } catch (error) {
      showStatus("closed");
      console.warn("The queue cannot be followed live:", error);
    }
  });
  await client.connect();
}

main().catch(() => showStatus("closed"));
