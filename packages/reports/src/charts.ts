import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from './document.js';

const PALETTE = { bar: '#2f6db3', line: '#b3452f', text: '#1f2328', grid: '#d0d7de' };

/** The Vega-Lite spec of a chart: one mark, points in the given order, no data or fonts fetched from anywhere. */
export function vegaLiteSpec(chart: ChartSpec): TopLevelSpec {
  return {
    description: chart.description,
    width: Math.max(chart.kind === 'bar' ? 120 : 240, Math.min(560, chart.points.length * 64)),
    height: 220,
    background: 'white',
    // Chart geometry needs floating point; the figures shown to people are the exact decimal strings in the
    // section's table, never these numbers.
    data: { values: chart.points.map((p) => ({ x: p.x, y: Number(p.y), label: p.y })) },
    mark:
      chart.kind === 'bar'
        ? { type: 'bar', color: PALETTE.bar }
        : { type: 'line', color: PALETTE.line, point: { color: PALETTE.line } },
    encoding: {
      x: {
        field: 'x',
        type: 'ordinal',
        sort: null,
        title: chart.xLabel,
        axis: { labelAngle: chart.points.length > 4 ? -30 : 0, labelLimit: 120 },
      },
      y: { field: 'y', type: 'quantitative', title: chart.yLabel, axis: { format: ',~r' } },
    },
    config: {
      font: 'sans-serif',
      axis: { labelColor: PALETTE.text, titleColor: PALETTE.text, gridColor: PALETTE.grid },
      view: { stroke: null },
    },
  };
}

/**
 * Renders a chart to a standalone SVG string with Vega's headless renderer (`renderer: 'none'`: no DOM, no canvas;
 * text widths are estimated). Vega escapes the text it writes into the SVG.
 */
export async function renderChartSvg(chart: ChartSpec): Promise<string> {
  const view = new View(parse(compile(vegaLiteSpec(chart)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
