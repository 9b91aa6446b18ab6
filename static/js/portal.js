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
