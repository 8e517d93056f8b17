// Images in the editor: upload by the "Insert image" button, by dropping files on the content
// field or by pasting them into it, each through image.upload (tRPC FormData,
// docs/images.md), and insert its Markdown, ![alt](url), at the cursor. On a saved post the
// image is attached to it and offered as its cover. The no-JavaScript upload form below the
// editor keeps working; with this script its submission goes the same way, without a reload.

const ACCEPTED = ["image/jpeg", "image/png", "image/gif", "image/webp"];

function csrfToken(form) {
  return form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
}

/** Upload one file; the image as image.upload answers it, or an Error with the server's reason. */
export async function uploadImage(file, { alt = "", postId = null, csrf, fetchImpl = globalThis.fetch }) {
  const body = new FormData();
  body.append("file", file);
  body.append("alt", alt);
  if (postId) body.append("postId", postId);
  let response;
  try {
    response = await fetchImpl("/api/trpc/image.upload", {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json", "x-trpc-transformer": "json", "x-csrftoken": csrf },
      body,
    });
  } catch {
    throw new Error("The upload did not reach the server; check the connection and try again.");
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // A proxy's own page (nginx's 413, say): no tRPC envelope.
  }
  if (answer && answer.result) return answer.result.data;
  const fieldErrors = answer?.error?.data?.fieldErrors || {};
  const reason = Object.values(fieldErrors).flat()[0] || answer?.error?.message;
  if (reason) throw new Error(reason);
  throw new Error(response.status === 413 ? "This file is too large." : `The upload failed (${response.status}).`);
}

/** ``text`` put in place of the textarea's selection, the cursor after it. */
function insertAtCursor(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  const before = textarea.value.slice(0, start);
  const needsBreak = before && !before.endsWith("\n") ? "\n" : "";
  const inserted = `${needsBreak}${text}\n`;
  textarea.setRangeText(inserted, start, end, "end");
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

function altFromName(name) {
  return name.replace(/\.[a-z0-9]+$/i, "").replace(/[-_]+/g, " ").trim();
}

/** The uploaded image offered as the post's cover (the editor's radio list of images). */
function offerAsCover(form, image, { choose }) {
  const choices = form.querySelector("[data-cover-choices]");
  if (!choices) return;
  const label = document.createElement("label");
  label.className = "cover-choice";
  const radio = document.createElement("input");
  radio.type = "radio";
  radio.name = "cover_image";
  radio.value = image.id;
  radio.id = `id_cover_image_${image.id}`;
  label.htmlFor = radio.id;
  const picture = document.createElement("img");
  picture.src = image.url;
  picture.srcset = image.srcset;
  picture.sizes = "8rem";
  picture.width = image.width;
  picture.height = image.height;
  picture.alt = image.alt;
  const caption = document.createElement("span");
  caption.textContent = image.alt || "No alternative text";
  label.append(radio, " ", picture, caption);
  choices.append(label);
  if (choose) radio.checked = true;
}

export function imageUploads(form) {
  const textarea = form.querySelector("textarea[name=content]");
  if (!textarea) return;
  const postId = form.dataset.postId || null;
  const csrf = csrfToken(form);
  // The server refuses larger files too; this spares sending them.
  const maxBytes = Number(form.dataset.maxUploadBytes) || Infinity;

  const status = document.createElement("p");
  status.className = "image-upload-status";
  status.setAttribute("aria-live", "polite");
  const picker = document.createElement("input");
  picker.type = "file";
  picker.accept = ACCEPTED.join(",");
  picker.multiple = true;
  picker.hidden = true;
  picker.setAttribute("aria-label", "Images to insert");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Insert image";
  button.className = "insert-image";
  button.addEventListener("click", () => picker.click());
  textarea.after(button, picker, status);

  async function upload(files, { alt = null, asCover = false } = {}) {
    for (const file of files) {
      if (!ACCEPTED.includes(file.type)) {
        status.dataset.state = "error";
        status.textContent = `${file.name || "This file"} is not a JPEG, PNG, GIF or WebP image.`;
        continue;
      }
      if (file.size > maxBytes) {
        status.dataset.state = "error";
        status.textContent = `${file.name || "This file"} is over ${(maxBytes / 2 ** 20).toFixed(1)} MB, the most an image may be.`;
        continue;
      }
      status.dataset.state = "busy";
      status.textContent = `Uploading ${file.name || "the image"}…`;
      try {
        const image = await uploadImage(file, { alt: alt ?? altFromName(file.name || ""), postId, csrf });
        insertAtCursor(textarea, image.markdown);
        if (postId) offerAsCover(form, image, { choose: asCover });
        status.dataset.state = "done";
        status.textContent = `Inserted ${file.name || "the image"}.`;
      } catch (error) {
        status.dataset.state = "error";
        status.textContent = error.message;
      }
    }
  }

  picker.addEventListener("change", async () => {
    await upload([...picker.files]);
    picker.value = "";
  });
  textarea.addEventListener("dragover", (event) => {
    if (![...(event.dataTransfer?.types || [])].includes("Files")) return;
    event.preventDefault();
    textarea.classList.add("is-drop-target");
  });
  textarea.addEventListener("dragleave", () => textarea.classList.remove("is-drop-target"));
  textarea.addEventListener("drop", (event) => {
    const files = [...(event.dataTransfer?.files || [])];
    textarea.classList.remove("is-drop-target");
    if (!files.length) return;
    event.preventDefault();
    upload(files);
  });
  textarea.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files || [])];
    if (!files.length) return; // text pastes as usual
    event.preventDefault();
    upload(files);
  });

  // The no-JavaScript upload form, sent the same way without leaving the page.
  const uploadForm = document.querySelector("form.image-upload-form");
  uploadForm?.addEventListener("submit", async (event) => {
    const input = uploadForm.querySelector("input[type=file]");
    if (!input?.files.length) return;
    event.preventDefault();
    const alt = uploadForm.querySelector("[name=alt]")?.value || "";
    const asCover = uploadForm.querySelector("[name=as_cover]")?.checked || false;
    await upload([...input.files], { alt, asCover });
    uploadForm.reset();
  });
}
