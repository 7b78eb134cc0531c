// The 校验规则 form: only the fields the chosen comparison uses are shown (另一项指标, 固定数值,
// or 允许变动幅度 against last year, which needs no 比较 operator). Without JavaScript every
// field shows and the service ignores the unused ones.
(() => {
  const targets = document.querySelectorAll('input[name="target"]');
  if (!targets.length) return;
  const uses = {
    indicator: ["id_operator", "id_right"],
    constant: ["id_operator", "id_constant"],
    last_year: ["id_tolerance"],
  };
  const all = ["id_operator", "id_right", "id_constant", "id_tolerance"];
  const show = () => {
    const chosen = Array.from(targets).find((t) => t.checked)?.value || "indicator";
    for (const id of all) {
      const field = document.getElementById(id)?.closest(".field");
      if (field) field.hidden = !uses[chosen].includes(id);
    }
  };
  targets.forEach((t) => t.addEventListener("change", show));
  show();
})();
