// The reader's theme: light, dark, or (no choice stored) whatever their system prefers, which
// site.css follows by itself. A classic script in <head>, so a stored choice applies before
// the first paint; the footer's theme picker stays hidden without JavaScript.
(() => {
  const KEY = "inkwell.theme";
  const THEMES = ["light", "dark"];
  const root = document.documentElement;

  function stored() {
    try {
      const theme = localStorage.getItem(KEY);
      return THEMES.includes(theme) ? theme : "";
    } catch {
      return ""; // storage refused (private mode, policy): the system's theme
    }
  }

  function apply(theme) {
    if (theme) root.dataset.theme = theme;
    else delete root.dataset.theme;
  }

  function remember(theme) {
    try {
      if (theme) localStorage.setItem(KEY, theme);
      else localStorage.removeItem(KEY);
    } catch {
      // Not remembered; it still applies to this page.
    }
  }

  apply(stored());
  document.addEventListener("DOMContentLoaded", () => {
    const picker = document.getElementById("theme-picker");
    if (!picker) return;
    const select = picker.querySelector("select");
    select.value = stored();
    picker.hidden = false;
    select.addEventListener("change", () => {
      const theme = THEMES.includes(select.value) ? select.value : "";
      remember(theme);
      apply(theme);
    });
  });
})();
