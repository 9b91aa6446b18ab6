// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  // Close open menus when clicking elsewhere.
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
