// One patient: the state now, what the protocol recommends (dose, timing, the rule and observations
// behind it, the safety checks) with accept / decline, the figures, the decisions and the history.
import { call, patientPath, type Advice, type Decision, type Evidence, type Glance, type HistoryEntry, type Recommendation, type Session } from "./api";
import { errorBox, h, replaceContent } from "./dom";
import { entryForms } from "./entry";
import { figure, hasRows } from "./figures";
import { gradeBadge, studyTimeText, trendMark } from "./format";

function evidenceText(e: Evidence): string {
  const value = e.value !== undefined ? ` ${e.comparator ?? ""}${e.value}${e.unit ? " " + e.unit : ""}` : "";
  return `${e.item}${value}${e.detail ? ` (${e.detail})` : ""}, ${studyTimeText(e.time)}`;
}

function recommendationCard(patient: string, advice: Advice, rec: Recommendation, session: Session, reload: () => void): HTMLElement {
  const flagged = rec.checks.filter((c) => c.status !== "passed");
  const message = h("p", { class: "decision-result", role: "status" });
  const reason = h("input", { type: "text", name: "reason", placeholder: "reason (required to decline)", "aria-label": "reason" });
  const decide = async (decision: "accepted" | "declined") => {
    try {
      // advice_at: the server refuses the answer if the record has changed since this advice was given.
      const body = { protocol: advice.protocol.name, step: rec.step, decision, reason: reason.value, advice_at: advice.at.hours_since_infusion };
      const recorded = await call<Decision>("POST", `${patientPath(patient)}/decisions`, body);
      message.textContent = `${recorded.decision} (decision ${recorded.number}) by ${session.username}`;
      reload();
    } catch (error) {
      replaceContent(message, errorBox(error));
    }
  };
  const canDecide = session.role !== "viewer";
  const blocked = rec.status === "blocked";
  return h(
    "article",
    { class: `recommendation status-${rec.status}`, "data-step": rec.step },
    h("h3", {}, `${rec.action} ${rec.drug ?? rec.title}`, rec.repeat_dose ? " (repeat dose)" : "", " ", h("span", { class: `badge badge-${rec.status}` }, rec.status), rec.off_label ? h("span", { class: "badge badge-off-label" }, "off-label") : null),
    h("p", { class: "step" }, `step ${rec.step} (line ${rec.line}): ${rec.title}`),
    ...rec.schedule.map((phase, i) =>
      h(
        "div",
        { class: "dose" },
        h("strong", {}, i === 0 ? "Dose: " : "Then: "),
        phase.summary,
        phase.mg !== null ? h("span", { class: "mg" }, ` = ${phase.mg} mg`) : null,
        phase.missing.length > 0 ? h("p", { class: "warning" }, `cannot compute: ${phase.missing.join(", ")}`) : null,
        phase.computation.length > 0 ? h("details", {}, h("summary", {}, "how the dose was computed"), h("ul", {}, ...phase.computation.map((s) => h("li", {}, s)))) : null,
      ),
    ),
    rec.instruction ? h("p", {}, h("strong", {}, "Do: "), rec.instruction) : null,
    h("div", { class: "because" }, h("strong", {}, "Because"), h("ul", {}, ...rec.because.map((b) => h("li", {}, b)))),
    rec.evidence.length > 0 ? h("details", {}, h("summary", {}, `observations behind it (${rec.evidence.length})`), h("ul", {}, ...rec.evidence.map((e) => h("li", {}, evidenceText(e))))) : null,
    flagged.length > 0
      ? h("ul", { class: "checks" }, ...flagged.map((c) => h("li", { class: `check check-${c.status} severity-${c.severity}` }, h("strong", {}, `${c.status === "triggered" ? c.severity.toUpperCase() : c.status.toUpperCase()} ${c.check}: `), c.statement, c.advice ? ` → ${c.advice}` : "")))
      : h("p", { class: "checks-passed" }, rec.checks.length === 0 ? "no safety check applies to this step" : `all ${rec.checks.length} safety checks passed`),
    rec.note ? h("p", { class: "note" }, rec.note) : null,
    h("p", { class: "source" }, `Source: ${rec.source}`),
    canDecide
      ? h(
          "div",
          { class: "decide" },
          blocked
            ? h("span", { class: "blocked-note" }, "Blocked by a safety check: it can be declined, not accepted here. ")
            : h("button", { type: "button", class: "accept", onclick: () => decide("accepted") }, "Accept"),
          " ",
          reason,
          " ",
          h("button", { type: "button", class: "decline", onclick: () => decide("declined") }, "Decline"),
        )
      : null,
    message,
  );
}

function advicePanel(patient: string, advice: Advice, session: Session, reload: () => void): HTMLElement {
  const s = advice.state;
  return h(
    "section",
    { class: "advice", id: "recommendations" },
    h("h2", {}, `What ${advice.protocol.name} recommends now (${studyTimeText(advice.at)})`),
    h(
      "ul",
      { class: "state" },
      h("li", {}, "CRS ", gradeBadge("CRS", s.crs.grade, s.crs.complete === false), s.crs.assessed_at ? ` at ${studyTimeText(s.crs.assessed_at)}` : ""),
      h("li", {}, "ICANS ", gradeBadge("ICANS", s.icans.grade, s.icans.complete === false)),
      h("li", {}, "Therapy: ", s.therapies.length === 0 ? "none in this course" : s.therapies.map((t) => `${t.drug} ×${t.doses}${t.on ? " (on)" : ""}`).join("; ")),
      s.response ? h("li", {}, s.response.statement) : null,
      s.steroid_refractory.verdict !== "not_defined" ? h("li", { class: s.steroid_refractory.verdict === "yes" ? "refractory" : undefined }, s.steroid_refractory.statement) : null,
      ...advice.notes.map((n) => h("li", { class: "note" }, n)),
    ),
    advice.recommendations.length === 0 ? h("p", { class: "none" }, "No step of the protocol applies at this moment.") : null,
    ...advice.recommendations.map((r) => recommendationCard(patient, advice, r, session, reload)),
  );
}

function decisionsTable(decisions: Decision[]): HTMLElement {
  return h(
    "section",
    { id: "decisions" },
    h("h2", {}, "Decisions"),
    decisions.length === 0
      ? h("p", {}, "None recorded.")
      : h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ...["#", "recorded", "by", "step", "drug", "decision", "reason"].map((t) => h("th", {}, t)))),
          h("tbody", {}, ...decisions.map((d) => h("tr", {}, h("td", {}, d.number), h("td", {}, d.recorded_at), h("td", {}, d.recorded_by), h("td", {}, `${d.protocol}: ${d.step}`), h("td", {}, d.drug), h("td", { class: `decision-${d.decision}` }, d.decision), h("td", {}, d.reason)))),
        ),
  );
}

const kHistoryShown = 25;

function historyTable(history: HistoryEntry[]): HTMLElement {
  const detailText = (detail: HistoryEntry["detail"]) => {
    if (!detail) return "";
    const reason = typeof detail.reason === "string" && detail.reason ? `reason: ${detail.reason}` : "";
    const kind = typeof detail.kind === "string" ? detail.kind : "";
    return [kind, reason].filter(Boolean).join("; ");
  };
  // Newest first; a long course (an import is one entry per event) shows its latest entries, the rest on request.
  const newestFirst = [...history].reverse();
  const table = (entries: HistoryEntry[]) =>
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ...["#", "at (UTC)", "by", "action", "record", "detail"].map((t) => h("th", {}, t)))),
      h("tbody", {}, ...entries.map((e) => h("tr", { class: `action-${e.action}` }, h("td", {}, e.seq), h("td", {}, e.at), h("td", {}, e.actor), h("td", {}, e.action), h("td", { class: "record" }, e.record), h("td", {}, detailText(e.detail))))),
    );
  return h(
    "section",
    { id: "history" },
    h("h2", {}, `History (audit trail, ${history.length} entries)`),
    table(newestFirst.slice(0, kHistoryShown)),
    newestFirst.length > kHistoryShown ? h("details", {}, h("summary", {}, `${newestFirst.length - kHistoryShown} earlier entries`), table(newestFirst.slice(kHistoryShown))) : null,
  );
}

const kFigures: [name: string, caption: string][] = [
  ["vitals", "Daily Tmax, HRmax and SBPmin, with the drugs given."],
  ["grades", "Daily maximum ASTCT CRS grade, tocilizumab, corticosteroids and ruxolitinib."],
  ["cytokines", "Cytokines and ferritin (log scale)."],
  ["car-t", "CAR-T expansion and persistence (log scale)."],
];

export async function showPatient(main: HTMLElement, id: string, protocol: string, session: Session): Promise<void> {
  const path = patientPath(id);
  const header = h("div", { class: "patient-header" });
  const advice = h("div");
  const entry = h("div");
  const figures = h("section", { id: "figures" }, h("h2", {}, "Course"));
  const decisions = h("div");
  const history = h("div");
  replaceContent(main, h("p", {}, h("a", { href: "#/board" }, "← ward board")), header, advice, entry, figures, decisions, history);

  // Reloads may overlap (a reading recorded, then an answer given): only the latest one is shown.
  let generation = 0;
  const reload = async () => {
    const mine = ++generation;
    try {
      const [glance, advised, decided, audit, ...specs] = await Promise.all([
        call<Glance & { episodes: unknown }>("GET", `${path}/grades`),
        call<Advice>("GET", `${path}/recommendations?protocol=${encodeURIComponent(protocol)}`),
        call<{ decisions: Decision[] }>("GET", `${path}/decisions`),
        call<{ history: HistoryEntry[] }>("GET", `${path}/history`),
        ...kFigures.map(([name]) => call<object>("GET", `${path}/figures/${name}`)),
      ]);
      if (mine !== generation) return;
      replaceContent(
        header,
        h("h1", {}, `Patient ${id}`),
        h(
          "p",
          { class: "glance" },
          "CRS now ", gradeBadge("CRS", glance.crs_now?.grade, glance.crs_now?.lower_bound), trendMark(glance.crs_trend),
          " · ICANS now ", gradeBadge("ICANS", glance.icans_now?.grade, glance.icans_now?.lower_bound), trendMark(glance.icans_trend),
          ` · course maxima CRS ${glance.crs_max ?? "—"}, ICANS ${glance.icans_max ?? "—"} · last observation ${studyTimeText(glance.last_observation)}`,
        ),
      );
      replaceContent(advice, advicePanel(id, advised, session, () => void reload()));
      replaceContent(decisions, decisionsTable(decided.decisions));
      replaceContent(history, historyTable(audit.history));
      figures.replaceChildren(h("h2", {}, "Course"));
      specs.forEach((spec, i) => {
        if (hasRows(spec)) figures.append(figure(spec, kFigures[i][1]));
      });
      main.dataset.loaded = String(Date.now());
    } catch (error) {
      if (mine !== generation) return;
      // Advice that could not be brought up to date must not stay answerable.
      replaceContent(header, h("h1", {}, `Patient ${id}`), errorBox(error));
      replaceContent(advice, h("p", { class: "error" }, "The recommendations could not be loaded: reload the page."));
    }
  };
  if (session.role !== "viewer") replaceContent(entry, await entryForms(id, () => void reload()));
  await reload();
}
