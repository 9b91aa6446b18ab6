// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  // Close open menus when clicking elsewhere.
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

// One eligibility alert (or other popover) open at a time; Escape closes them.
document.addEventListener(
  "toggle",
  (event) => {
    const opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open) return;
    if (!opened.matches(".elig-alert, details.menu")) return;
    document.querySelectorAll(".elig-alert[open], details.menu[open]").forEach((other) => {
      if (other !== opened && !other.contains(opened)) other.removeAttribute("open");
    });
  },
  true,
);
document.addEventListener("click", (event) => {
  document.querySelectorAll(".elig-alert[open]").forEach((alert) => {
    if (!alert.contains(event.target)) alert.removeAttribute("open");
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".elig-alert[open], details.menu[open]").forEach((d) => d.removeAttribute("open"));
});
// Behaviour that used to be inline event handlers (the Content-Security-Policy runs
// scripts from our own files only).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]") && el.form) el.form.submit();
  if (el.matches("[data-check-all]")) {
    document.querySelectorAll(el.dataset.checkAll).forEach((box) => { box.checked = el.checked; });
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-close-details]");
  if (button) {
    const details = button.closest("details");
    if (details) details.open = false;
  }
});
