// Behaviour shared by every page; inline handlers are not allowed by the CSP.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});

// The header's groups (<details>): one open at a time; Escape or a click elsewhere closes it,
// Escape returning the focus to its summary.
(() => {
  const groups = Array.from(document.querySelectorAll("details.nav-group"));
  if (!groups.length) return;
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open) groups.forEach((other) => other !== group && (other.open = false));
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = groups.find((group) => group.open);
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });
  document.addEventListener("click", (event) => {
    groups.forEach((group) => {
      if (group.open && !group.contains(event.target)) group.open = false;
    });
  });
})();
