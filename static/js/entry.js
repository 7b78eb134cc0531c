// The entry form (数据填报): Enter in a field saves the row it was typed in, and leaving the
// page with typing that is not saved asks first. Inline handlers are not allowed by the CSP.
(() => {
  const form = document.querySelector("form.entry-form");
  if (!form) return;
  let submitting = false;
  let refocus = null; // the field to return to once a row saved with Enter comes back

  const rowOf = (element) => element.closest("tbody.figure-row");

  // A row holds unsaved typing when a field differs from what the page was given, or when
  // the server sent it back refused (data-unsaved: the typed text is shown, not stored).
  const unsaved = () =>
    Array.from(form.querySelectorAll("tbody.figure-row")).some(
      (row) =>
        row.hasAttribute("data-unsaved") ||
        Array.from(row.querySelectorAll("input[type=text], textarea")).some(
          (field) => field.value !== field.defaultValue,
        ),
    );

  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
    const field = event.target;
    if (field.tagName !== "INPUT" || field.type !== "text") return;
    const button = rowOf(field)?.querySelector("button.row-save");
    if (!button) return; // no row button: the form's default button saves the whole sheet
    event.preventDefault(); // not the implicit submission through the first row's button
    refocus = field.name;
    button.click();
  });

  form.addEventListener("submit", () => {
    submitting = true;
  });
  window.addEventListener("pageshow", () => {
    submitting = false; // back again from the browser's cache
  });

  // htmx swaps a saved row in; put the cursor back where the clerk pressed Enter.
  document.addEventListener("htmx:load", (event) => {
    const row = event.target.closest && event.target.closest("tbody.figure-row");
    if (!row || !refocus) return;
    const field = row.querySelector(`[name="${refocus}"]`);
    refocus = null;
    if (field) {
      field.focus();
      field.setSelectionRange?.(field.value.length, field.value.length);
    }
  });

  // A row saved with htmx sends the sheet's counts along (HX-Trigger: entry-counts): the
  // header's 已填 / 待填 follow without a reload.
  document.body.addEventListener("entry-counts", (event) => {
    for (const [name, count] of Object.entries(event.detail || {})) {
      const shown = document.querySelector(`[data-count="${name}"]`);
      if (shown && typeof count === "number") shown.textContent = String(count);
    }
  });

  window.addEventListener("beforeunload", (event) => {
    if (submitting || !unsaved()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need a value to show their own warning
  });
})();
