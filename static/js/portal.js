// Behaviour shared by every page; inline handlers are not allowed by the CSP.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});

// The job page's status fragment waits on the server for the job to move on (a long poll,
// reports/job_events.py); if that request fails (the server restarting, the network gone),
// ask again after a pause instead of leaving the page stale.
function retryJobStatus(event) {
  const status = event.detail && event.detail.elt;
  if (!status || status.id !== "job-status" || event.detail.successful) return;
  if (window.htmx) window.htmx.trigger(status, "retry");
}
document.addEventListener("htmx:afterRequest", retryJobStatus);
document.addEventListener("htmx:sendError", retryJobStatus);

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
