// Behaviour shared by every page; inline handlers are not allowed by the CSP.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
