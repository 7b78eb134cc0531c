/* 领导驾驶舱: charts drawn with the vendored ECharts from /dashboard/data.json.
   No inline script or style attributes (CSP): tooltips render as rich text inside the canvas. */
(function () {
  "use strict";

  var RED = "#b3131b";
  var COLORS = {
    approved: "#2e7d32",
    submitted: "#1f5fa8",
    progress: "#e0a100",
    missing: "#c9c9c9",
    late: "#b3131b",
    pending: "#1f5fa8",
    ok: "#2e7d32",
    locked: "#595959"
  };
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  var root = document.getElementById("dashboard");
  if (!root || typeof window.echarts === "undefined") {
    return;
  }
  var period = root.dataset.period;
  var charts = {};

  function urlFor(template, code) {
    return template.replace("CODE", encodeURIComponent(code));
  }

  function chart(id) {
    if (!charts[id]) {
      var el = document.getElementById(id);
      if (!el) {
        return null;
      }
      charts[id] = window.echarts.init(el, null, {
        renderer: "canvas",
        devicePixelRatio: Math.max(2, window.devicePixelRatio || 1)
      });
    }
    return charts[id];
  }

  function base() {
    return {
      textStyle: { fontFamily: FONT },
      animationDuration: 400,
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      grid: { left: 48, right: 16, top: 40, bottom: 40, containLabel: true }
    };
  }

  function zoom(count) {
    if (count <= 14) {
      return [];
    }
    var end = Math.max(5, Math.round((14 / count) * 100));
    return [
      { type: "slider", start: 0, end: end, height: 16, bottom: 8 },
      { type: "inside", start: 0, end: end }
    ];
  }

  function drawCompletion(departments) {
    var c = chart("chart-completion");
    if (!c) {
      return;
    }
    var labels = departments.map(function (d) { return d.label; });
    function series(name, key, color) {
      return {
        name: name,
        type: "bar",
        stack: "total",
        barMaxWidth: 36,
        itemStyle: { color: color },
        emphasis: { focus: "series" },
        data: departments.map(function (d) { return d[key]; })
      };
    }
    var option = base();
    option.legend = { top: 0, itemWidth: 12, itemHeight: 12 };
    option.xAxis = {
      type: "category",
      data: labels,
      axisLabel: { interval: 0, rotate: departments.length > 7 ? 40 : 0 }
    };
    option.yAxis = { type: "value", name: "项", minInterval: 1 };
    option.dataZoom = zoom(departments.length);
    option.series = [
      series("已审核", "approved", COLORS.approved),
      series("已报送待审", "submitted", COLORS.submitted),
      series("草稿/退回", "in_progress", COLORS.progress),
      series("未填", "empty", COLORS.missing)
    ];
    c.setOption(option, true);
    c.off("click");
    c.on("click", function (params) {
      var d = departments[params.dataIndex];
      if (d) {
        window.location.href = urlFor(root.dataset.departmentUrl, d.code) + "?period=" + encodeURIComponent(period);
      }
    });
  }

  function drawTimeliness(departments) {
    var c = chart("chart-timeliness");
    if (!c) {
      return;
    }
    var many = departments.length > 14;
    var option = base();
    option.tooltip = {
      trigger: "item",
      renderMode: "richText",
      formatter: function (p) { return p.name + "：" + departments[p.dataIndex].timeliness; }
    };
    option.xAxis = {
      type: "category",
      data: departments.map(function (d) { return d.label; }),
      axisLabel: { interval: 0, rotate: departments.length > 7 ? 40 : 0 }
    };
    option.yAxis = { type: "value", name: "天", minInterval: 1 };
    option.dataZoom = zoom(departments.length);
    option.series = [{
      type: "bar",
      barMaxWidth: 36,
      label: {
        show: !many,
        position: "top",
        fontSize: 11,
        formatter: function (p) { return departments[p.dataIndex].timeliness; }
      },
      data: departments.map(function (d) {
        // A locked period counts no days: its bars are flat and labelled 已锁定.
        var kind = d.complete ? "ok" : (d.locked ? "locked" : (d.days_overdue > 0 ? "late" : "pending"));
        var value = d.complete || d.locked ? 0 : (d.days_overdue > 0 ? d.days_overdue : d.days_left);
        return { value: value, itemStyle: { color: COLORS[kind] } };
      })
    }];
    c.setOption(option, true);
    c.off("click");
    c.on("click", function (params) {
      var d = departments[params.dataIndex];
      if (d) {
        window.location.href = urlFor(root.dataset.departmentUrl, d.code) + "?period=" + encodeURIComponent(period);
      }
    });
  }

  function drawTrend(trend) {
    var c = chart("chart-trend");
    if (!c) {
      return;
    }
    var option = base();
    option.tooltip = { trigger: "axis", renderMode: "richText" };
    if (!trend || !trend.points.length) {
      option.title = {
        text: trend ? "该指标暂无数据" : "请选择指标",
        left: "center",
        top: "middle",
        textStyle: { color: "#999", fontSize: 14, fontWeight: "normal" }
      };
      option.xAxis = { type: "category", data: [] };
      option.yAxis = { type: "value" };
      option.series = [];
      c.setOption(option, true);
      return;
    }
    option.xAxis = { type: "category", boundaryGap: false, data: trend.points.map(function (p) { return p.period; }) };
    option.grid = { left: 48, right: 32, top: 36, bottom: 16, containLabel: true };
    option.yAxis = { type: "value", name: trend.unit || "", scale: true };
    option.series = [{
      name: trend.name,
      type: "line",
      smooth: false,
      symbolSize: 8,
      lineStyle: { color: RED, width: 2 },
      itemStyle: { color: RED },
      areaStyle: { color: "rgba(179, 19, 27, 0.08)" },
      label: { show: trend.points.length <= 12, position: "top", fontSize: 11 },
      data: trend.points.map(function (p) { return p.value === null ? null : Number(p.value); })
    }];
    c.setOption(option, true);
    c.off("click");
    c.on("click", function () {
      window.location.href = urlFor(root.dataset.indicatorUrl, trend.code) + "?period=" + encodeURIComponent(period);
    });
  }

  function load(indicator, trendOnly) {
    var params = new URLSearchParams({ period: period });
    if (root.dataset.area) {
      params.set("area", root.dataset.area);
    }
    if (indicator) {
      params.set("indicator", indicator);
    }
    return fetch(root.dataset.url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (!trendOnly) {
          drawCompletion(data.departments);
          drawTimeliness(data.departments);
        }
        drawTrend(data.trend);
        root.classList.add("charts-ready");
      })
      .catch(function (error) {
        root.classList.add("charts-failed");
        if (window.console && window.console.warn) {
          window.console.warn("驾驶舱图表数据加载失败：", error.message);
        }
      });
  }

  var select = document.getElementById("indicator-select");
  var link = document.getElementById("indicator-link");
  if (select) {
    select.addEventListener("change", function () {
      if (link) {
        link.href = urlFor(root.dataset.indicatorUrl, select.value) + "?period=" + encodeURIComponent(period);
      }
      load(select.value, true);
    });
  }
  var periodSelect = document.getElementById("period-select");
  if (periodSelect && periodSelect.form) {
    periodSelect.addEventListener("change", function () { periodSelect.form.submit(); });
  }
  var printButton = document.getElementById("print-button");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }

  // On paper the print stylesheet scales the drawn charts; redraw for the screen only.
  var printing = window.matchMedia ? window.matchMedia("print") : { matches: false };
  function resizeAll() {
    if (printing.matches) {
      return;
    }
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  }
  window.addEventListener("resize", resizeAll);
  window.addEventListener("afterprint", resizeAll);

  load(select ? select.value : "", false);
})();
