// The editor's tag field, enhanced: as the author types a tag, suggestions of existing tags
// (tag.search over HTTP) appear under it; arrows move through them, Enter or a click takes
// one, Escape closes them. Without JavaScript the field stays a comma-separated text field.

import { query } from "./trpc_http.js";

const DELAY_MS = 150; // typing pauses this long before asking
const LIMIT = 8;

/** The tag being typed: the text after the last comma, and where it starts. */
function currentTag(value) {
  const start = value.lastIndexOf(",") + 1;
  return { start, text: value.slice(start).trim() };
}

function enhance(input) {
  const listId = `${input.id}-suggestions`;
  const list = document.createElement("ul");
  list.id = listId;
  list.className = "tag-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  const wrapper = document.createElement("div");
  wrapper.className = "tag-picker";
  input.replaceWith(wrapper);
  wrapper.append(input, list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("aria-expanded", "false");

  let timer = null;
  let asked = 0; // answers to older questions are dropped
  let active = -1;

  const options = () => [...list.querySelectorAll("[role=option]")];

  function close() {
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, at) => option.setAttribute("aria-selected", String(at === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
  }

  function choose(name) {
    const { start } = currentTag(input.value);
    const before = input.value.slice(0, start).replace(/\s*$/, "");
    input.value = `${before ? `${before} ` : ""}${name}, `;
    close();
    input.focus();
  }

  function show(tags) {
    const typed = new Set(input.value.split(",").map((name) => name.trim().toLowerCase()));
    const fresh = tags.filter((tag) => !typed.has(tag.name.toLowerCase()));
    if (!fresh.length) return close();
    list.replaceChildren(
      ...fresh.map((tag, index) => {
        const option = document.createElement("li");
        option.id = `${listId}-${index}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = tag.name;
        // mousedown, not click: the input must not lose focus (and close the list) first.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(tag.name);
        });
        return option;
      }),
    );
    active = -1;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  async function suggest() {
    const { text } = currentTag(input.value);
    if (!text) return close();
    const question = ++asked;
    try {
      const tags = await query("tag.search", { prefix: text.slice(0, 50), limit: LIMIT });
      if (question === asked) show(tags);
    } catch (error) {
      // Suggestions are a comfort: the author can still type any tag.
      console.warn("Tag suggestions are unavailable:", error);
      close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); // take the tag, do not submit the form
      choose(options()[active].textContent);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
}

document.querySelectorAll("input[data-tag-picker]").forEach(enhance);
