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
