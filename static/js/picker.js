// Pick an indicator by name: a search-as-you-type list (name, department, unit) over the
// catalogue the page embeds (json_script "indicator-picker-data"), keyboard-driven (a
// combobox with a listbox: ↑/↓ to move, Enter to choose, Esc to close).
//
// Two uses, by the data attributes of the [data-picker] element:
// - data-picker="formula": inserts 【name】 at the cursor of the textarea data-target names;
// - data-picker="placeholder": inserts {code} or {code|filter} (the form chosen in the
//   select data-form names) at the cursor of the template textarea.
(() => {
  const data = document.getElementById("indicator-picker-data");
  if (!data) return;
  const indicators = JSON.parse(data.textContent);

  const insertAt = (field, text) => {
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    const at = start + text.length;
    field.focus();
    field.setSelectionRange(at, at);
    field.dispatchEvent(new Event("input", { bubbles: true })); // the live preview follows
  };

  document.querySelectorAll("[data-picker]").forEach((picker, pickerIndex) => {
    const input = picker.querySelector("input[role=combobox]");
    const list = picker.querySelector("[role=listbox]");
    const target = document.getElementById(picker.dataset.target);
    const formSelect = picker.dataset.form ? document.getElementById(picker.dataset.form) : null;
    const button = picker.querySelector("button[data-insert]");
    const status = picker.querySelector("[data-picker-status]");
    if (!input || !list || !target) return;
    let shown = [];
    let active = -1;
    let chosen = null;

    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };

    const mark = (index) => {
      active = index;
      list.querySelectorAll("[role=option]").forEach((option, i) => {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", `picker-${pickerIndex}-option-${index}`);
        list.children[index].scrollIntoView({ block: "nearest" });
      }
    };

    const render = () => {
      const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      shown = indicators
        .filter((item) => {
          const text = `${item.name} ${item.department} ${item.section}`.toLowerCase();
          return words.every((word) => text.includes(word));
        })
        .slice(0, 30);
      list.replaceChildren(
        ...shown.map((item, i) => {
          const option = document.createElement("li");
          option.id = `picker-${pickerIndex}-option-${i}`;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          const name = document.createElement("span");
          name.className = "picker-name";
          name.textContent = item.name + (item.computed ? "（计算）" : "");
          const about = document.createElement("span");
          about.className = "picker-about";
          about.textContent = [item.department, item.unit].filter(Boolean).join(" · ");
          option.append(name, about);
          option.addEventListener("mousedown", (event) => {
            event.preventDefault(); // keep the focus in the input
            choose(i);
          });
          return option;
        }),
      );
      list.hidden = shown.length === 0;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      if (status) status.textContent = words.length ? `找到 ${shown.length} 项指标` : "";
      mark(-1);
    };

    const insert = (item) => {
      if (picker.dataset.picker === "formula") {
        insertAt(target, `【${item.name}】`);
      } else {
        const form = formSelect ? formSelect.value : "";
        insertAt(target, form ? `{${item.code}|${form}}` : `{${item.code}}`);
      }
    };

    const choose = (index) => {
      const item = shown[index];
      if (!item) return;
      chosen = item;
      input.value = item.name;
      close();
      if (button) {
        button.disabled = false;
        input.focus();
      } else {
        insert(item);
      }
      if (status) status.textContent = `已选择：${item.name}（${item.department}）`;
    };

    input.addEventListener("input", () => {
      chosen = null;
      if (button) button.disabled = true;
      render();
    });
    // Leaving the field closes the list a moment later (a click on an item lands first);
    // coming back before then keeps it open, so the pending close is cancelled.
    let closing = null;
    input.addEventListener("focus", () => {
      clearTimeout(closing);
      closing = null;
      if (input.value.trim() && !chosen) render();
    });
    input.addEventListener("blur", () => {
      clearTimeout(closing);
      closing = setTimeout(close, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) render();
        mark(Math.min(active + 1, shown.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        mark(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        event.preventDefault(); // never submits the editor's form
        if (!list.hidden && active >= 0) choose(active);
        else if (!list.hidden && shown.length === 1) choose(0);
        else if (chosen && button) button.click();
      } else if (event.key === "Escape") {
        close();
      }
    });
    if (button) {
      button.disabled = true;
      button.addEventListener("click", () => {
        if (chosen) insert(chosen);
      });
    }
  });
})();
