// Figures drawn by vega-embed from the Vega-Lite specifications crsguard builds (analysis/figures.hpp):
// the report page and the dashboard draw the same specs with the same Vega builds.
import type embed from "vega-embed";
import { h } from "./dom";

declare global {
  interface Window {
    vegaEmbed: typeof embed;
  }
}

export function figure(spec: object, caption: string): HTMLElement {
  const target = h("div", { class: "figure-target" });
  const box = h("figure", { class: "figure" }, target, caption ? h("figcaption", {}, caption) : null);
  window
    .vegaEmbed(target, spec as never, { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
    .then(() => box.setAttribute("data-rendered", "true"))
    .catch((error: unknown) => {
      box.setAttribute("data-rendered", "error");
      target.replaceChildren(h("p", { class: "error" }, `figure not drawn: ${String(error)}`));
    });
  return box;
}

// Some figures have no data for a patient (no cytokine measured): say so instead of an empty frame.
export function hasRows(spec: unknown): boolean {
  if (Array.isArray(spec)) return spec.some(hasRows);
  if (spec && typeof spec === "object") {
    for (const [key, value] of Object.entries(spec)) {
      if (key === "values" && Array.isArray(value) && value.length > 0) return true;
      if (key !== "values" && hasRows(value)) return true;
    }
  }
  return false;
}
