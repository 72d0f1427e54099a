// The ward board: every active patient (alive, day 0–28), worst first, polled every 30 s.
import { call, type PatientRow } from "./api";
import { errorBox, h, replaceContent } from "./dom";
import { gradeBadge, studyTimeText, trendMark } from "./format";

const kPollMilliseconds = 30_000;

function severity(row: PatientRow): number {
  return Math.max(row.crs_now?.grade ?? -1, row.icans_now?.grade ?? -1) * 10 + row.alerts.length;
}

function rowOf(row: PatientRow): HTMLTableRowElement {
  return h(
    "tr",
    { "data-patient": row.id, class: row.alerts.length > 0 ? "alerting" : undefined },
    h("td", {}, h("a", { href: `#/patient/${encodeURIComponent(row.id)}` }, row.id)),
    h("td", { class: "number" }, row.day_since_infusion ?? (row.last_recorded_day !== null ? `(${row.last_recorded_day})` : "—")),
    h("td", { class: "crs" }, gradeBadge("CRS", row.crs_now?.grade, row.crs_now?.lower_bound), " ", trendMark(row.crs_trend)),
    h("td", { class: "icans" }, gradeBadge("ICANS", row.icans_now?.grade, row.icans_now?.lower_bound), " ", trendMark(row.icans_trend)),
    h("td", {}, `${row.crs_max ?? "—"} / ${row.icans_max ?? "—"}`),
    h("td", { class: "alerts" }, ...row.alerts.map((a) => h("span", { class: `alert alert-${a.kind}`, title: a.message }, a.message))),
    h("td", {}, studyTimeText(row.last_observation)),
  );
}

export async function showBoard(main: HTMLElement, protocol: string, signal: AbortSignal): Promise<void> {
  const activeOnly = h("input", { type: "checkbox", id: "active-only", checked: true });
  const table = h("tbody");
  const status = h("p", { class: "status" });
  replaceContent(
    main,
    h("h1", {}, "Ward board"),
    h("p", {}, h("label", {}, activeOnly, " active patients only (alive, day 0–28 after infusion)"), " ", status),
    h(
      "table",
      { class: "board" },
      h("thead", {}, h("tr", {}, ...["patient", "day", "CRS now", "ICANS now", "max CRS / ICANS", "alerts", "last observation"].map((t) => h("th", {}, t)))),
      table,
    ),
  );
  let updated = "";
  const load = async () => {
    if (signal.aborted) return;
    try {
      const query = new URLSearchParams({ active: String(activeOnly.checked), protocol });
      const { patients } = await call<{ patients: PatientRow[] }>("GET", `/patients?${query}`);
      if (signal.aborted) return;
      patients.sort((a, b) => severity(b) - severity(a) || a.id.localeCompare(b.id));
      replaceContent(table, ...patients.map(rowOf));
      if (patients.length === 0) replaceContent(table, h("tr", {}, h("td", { colspan: 7 }, "No patient.")));
      table.classList.remove("stale");
      updated = new Date().toLocaleTimeString();
      status.textContent = `${patients.length} patients, updated ${updated}; alerts under ${protocol}`;
    } catch (error) {
      // What is on screen is no longer current: say so, rather than leave it looking live.
      table.classList.add("stale");
      replaceContent(status, errorBox(error), updated ? ` The board shows the state at ${updated}.` : "");
    }
  };
  // Set up before the first answer: leaving the page while it loads must still stop the polling.
  const timer = window.setInterval(load, kPollMilliseconds);
  signal.addEventListener("abort", () => window.clearInterval(timer));
  activeOnly.addEventListener("change", load);
  await load();
}
