/**
 * The one chart module: ECharts through echarts/core with only the charts and components the
 * dashboards use (line, pie; grid, tooltip, legend, title; canvas), which keeps the chunk a
 * fraction of the full library. Pages describe a chart as data (data-chart) and never touch
 * ECharts themselves.
 */
import { LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, CanvasRenderer]);

type Spec = { empty: string } & (
  | { kind: "line"; title: string; x: string[]; series: { name: string; data: number[] }[] }
  | { kind: "pie"; title: string; data: { name: string; value: number }[] }
);

const COLOURS = ["#c0392b", "#2e86de", "#27ae60", "#f39c12", "#8e44ad", "#16a085", "#7f8c8d"];

const thousands = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const number = (value: unknown) => (typeof value === "number" ? thousands.format(value) : String(value));

function option(spec: Spec): echarts.EChartsCoreOption {
  // No animation: a dashboard redraws on every block, and a chart should read at once.
  const title = { text: spec.title, left: 12, top: 8, textStyle: { fontSize: 13 } };
  const empty = spec.kind === "pie" ? spec.data.length === 0 : spec.x.length === 0;
  // Without data ECharts draws a bare axis or a grey ring: say so in the middle instead.
  if (empty) {
    return {
      animation: false,
      title: [
        title,
        {
          text: spec.empty,
          left: "center",
          top: "middle",
          textStyle: { fontSize: 14, fontWeight: "normal", color: "#8a96a3" },
        },
      ],
    };
  }
  if (spec.kind === "pie") {
    return {
      color: COLOURS,
      animation: false,
      title,
      tooltip: { trigger: "item" },
      legend: { bottom: 4 },
      series: [
        {
          type: "pie",
          radius: ["32%", "56%"],
          center: ["50%", "52%"],
          data: spec.data,
          // Whole names ("Reimbursed: 1", not "Reimburse..."): the ring leaves them room.
          label: { formatter: "{b}: {c}", overflow: "none" },
        },
      ],
    };
  }
  return {
    color: COLOURS,
    animation: false,
    title,
    tooltip: { trigger: "axis" },
    // Two lines (issued and used, wages paid and owed) need their names.
    legend: spec.series.length > 1 ? { top: 8, right: 12 } : undefined,
    grid: { left: 70, right: 20, top: 44, bottom: 30 },
    xAxis: { type: "category", data: spec.x },
    yAxis: { type: "value" },
    series: spec.series.map((s) => ({
      type: spec.kind,
      name: s.name,
      data: s.data,
      // A day or two is a dot or a short segment: show the points and their values.
      showSymbol: spec.x.length <= 2,
      symbolSize: spec.x.length <= 2 ? 8 : 4,
      label: { show: spec.x.length <= 2, position: "top", formatter: ({ value }: { value: unknown }) => number(value) },
      smooth: true,
      areaStyle: spec.kind === "line" ? { opacity: 0.15 } : undefined,
    })),
  };
}

/** Draws (or redraws) every [data-chart] element under `root`. */
export function renderCharts(root: ParentNode): void {
  for (const element of root.querySelectorAll<HTMLElement>("[data-chart]")) {
    const spec = JSON.parse(element.dataset.chart!) as Spec;
    const chart = echarts.getInstanceByDom(element) ?? echarts.init(element, undefined, { renderer: "canvas" });
    chart.setOption(option(spec), true);
    element.dataset.rendered = "true";
  }
}

addEventListener("resize", () => {
  for (const element of document.querySelectorAll<HTMLElement>("[data-chart]"))
    echarts.getInstanceByDom(element)?.resize();
});
