// linli 邻里 — the dashboard's charts, drawn with Apache ECharts (served by linli) from the figures the
// API serves (the page names the address). Each chart has a table beside it that says the same; without this file the
// tables remain.
"use strict";

(async function () {
  const source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  const response = await fetch(source.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    return;
  }
  const data = await response.json();
  const labels = data.labels;
  const period = new URLSearchParams(window.location.search).get("period") || data.period;
  const percent = (value) => (value === null || value === undefined ? null : Math.round(value * 1000) / 10);
  const font = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
  const base = { textStyle: { fontFamily: font }, animation: false, tooltip: { trigger: "axis", renderMode: "richText" } };

  function draw(kind, option, onClick) {
    const element = document.querySelector(`[data-chart="${kind}"]`);
    if (!element) {
      return;
    }
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(Object.assign({}, base, option));
    if (onClick) {
      chart.on("click", onClick);
    }
    window.addEventListener("resize", () => chart.resize());
  }

  // The areas below side by side: overdue households as bars (the lagging one stands out), visit
  // coverage as a line; a bar opens that area's dashboard.
  // The profile page: ages and household sizes (a count under the threshold is drawn as nothing).
  if (data.ages) {
    for (const [kind, rows] of [["ages", data.ages], ["sizes", data.household_sizes]]) {
      draw(kind, {
        grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: rows.map((r) => r.name) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: rows.map((r) => r.value), itemStyle: { color: "#2c6e9e" } }],
      });
    }
    return;
  }

  // Each figure's card: its last 12 months as a small line (the months' table below says the same).
  for (const element of document.querySelectorAll("[data-spark]")) {
    const code = element.dataset.spark;
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 2, right: 2, top: 2, bottom: 2 },
      xAxis: { type: "category", show: false, data: data.trend.map((t) => t.month.slice(0, 7)) },
      yAxis: { type: "value", show: false, min: "dataMin" },
      // A "now" figure is only known for the months measured while current: no line where it was not.
      series: [{ type: "line", symbol: "none", data: data.trend.map((t) => t.figures[code] ?? (data.kinds[code] === "now" ? null : 0)), lineStyle: { width: 1.5, color: "#2f7d5b" }, areaStyle: { color: "rgba(47, 125, 91, 0.12)" } }],
    });
  }

  const children = data.children;
  draw(
    "children",
    {
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      xAxis: { type: "category", data: children.map((c) => c.area.name), axisLabel: { interval: 0, rotate: children.length > 6 ? 40 : 0 } },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      ],
      series: [
        {
          name: labels["visits.overdue"],
          type: "bar",
          data: children.map((c) => ({ value: c.figures["visits.overdue"] || 0, areaId: c.area.id })),
          itemStyle: { color: "#c0573e" },
          cursor: "pointer",
        },
        {
          name: labels["visits.rate"],
          type: "line",
          yAxisIndex: 1,
          data: children.map((c) => ({ value: percent(c.rates["visits.rate"]), areaId: c.area.id })),
          itemStyle: { color: "#2f7d5b" },
        },
      ],
    },
    (event) => {
      const areaId = event.data && event.data.areaId;
      if (areaId) {
        window.location.assign(`/dashboard?area_id=${areaId}&period=${encodeURIComponent(period)}`);
      }
    },
  );

  const trend = data.trend;
  draw("trend", {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    xAxis: { type: "category", data: trend.map((t) => t.month.slice(0, 7)) },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    ],
    series: [
      { name: labels["orders.received"], type: "bar", data: trend.map((t) => t.figures["orders.received"] || 0), itemStyle: { color: "#8fb9d9" } },
      { name: labels["orders.resolved"], type: "bar", data: trend.map((t) => t.figures["orders.resolved"] || 0), itemStyle: { color: "#2c6e9e" } },
      { name: labels["visits.rate"], type: "line", yAxisIndex: 1, data: trend.map((t) => percent(t.rates["visits.rate"])), itemStyle: { color: "#2f7d5b" } },
    ],
  });

  const categories = data.categories;
  draw("categories", {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: categories.map((c) => c.name).reverse() },
    series: [{ name: labels["orders.received"], type: "bar", data: categories.map((c) => c.value).reverse(), itemStyle: { color: "#c27c2c" } }],
  });
})();
