// The cohort page: the report of `crsguard report` (tables, tests and figures) over the patients in
// the store, built by the server with the same code and drawn with the same Vega builds.
import { call, type ReportBlock, type ReportDocument } from "./api";
import { errorBox, h, replaceContent } from "./dom";
import { figure } from "./figures";

function block(b: ReportBlock): HTMLElement {
  switch (b.type) {
    case "paragraph":
      return h("p", {}, b.text);
    case "table":
      return h(
        "table",
        { class: "report-table" },
        b.caption ? h("caption", {}, b.caption) : null,
        h("thead", {}, h("tr", {}, ...b.header.map((c) => h("th", {}, c)))),
        h("tbody", {}, ...b.rows.map((row) => h("tr", {}, ...row.map((c) => h("td", {}, c))))),
      );
    case "figure":
      return h("div", { id: `figure-${b.id}` }, figure(b.spec, b.caption));
  }
}

export async function showCohort(main: HTMLElement): Promise<void> {
  const activeOnly = h("input", { type: "checkbox", id: "cohort-active" });
  const body = h("div", {}, h("p", {}, "Loading…"));
  replaceContent(main, h("h1", {}, "Cohort"), h("p", {}, h("label", {}, activeOnly, " active patients only")), body);
  const load = async () => {
    try {
      const report = await call<ReportDocument>("GET", `/cohort/report?active=${activeOnly.checked}`);
      replaceContent(
        body,
        h("h2", {}, report.title),
        h("p", { class: "subtitle" }, report.subtitle),
        ...report.sections.map((s) => h("section", {}, h("h2", {}, s.heading), ...s.blocks.map(block))),
      );
    } catch (error) {
      replaceContent(body, errorBox(error));
    }
  };
  activeOnly.addEventListener("change", load);
  await load();
}
