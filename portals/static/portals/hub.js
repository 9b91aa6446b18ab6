// Payer Portal Access Hub: the arrow next to a portal shows or hides its details row.
// htmx loads the details on the first click (hx-trigger="click once"); this only toggles.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-expand]");
  if (!button) return;
  const row = document.getElementById(button.getAttribute("aria-controls"));
  if (!row) return;
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!open));
  button.innerHTML = open ? "&#x25B8;" : "&#x25BE;";
  row.hidden = open;
});

// Task page: Cancel in "Change account information" hides the fields and forgets them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-cancel-account]");
  if (!button) return;
  const panel = button.closest(".account-panel");
  panel.querySelectorAll(".account-fields input").forEach((input) => { input.value = input.defaultValue; });
  const toggle = panel.querySelector("input[name=change_account]");
  if (toggle) toggle.checked = false;
});
