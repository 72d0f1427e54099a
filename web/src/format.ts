// How grades, times and trends read on screen, the same on every page.
import type { StudyTime, Trend } from "./api";
import { h } from "./dom";

export function studyTimeText(time: StudyTime | null | undefined): string {
  if (!time) return "—";
  return time.clock ? `day ${time.day} ${time.clock}` : `day ${time.day}`;
}

// A grade as a coloured badge: ASTCT 0–5, "≥" where an unrecorded input could raise it.
export function gradeBadge(what: string, grade: number | null | undefined, lowerBound = false): HTMLElement {
  if (grade === null || grade === undefined) return h("span", { class: "grade grade-none", title: `${what}: not assessable` }, "—");
  const text = `${lowerBound ? "≥" : ""}${grade}`;
  return h("span", { class: `grade grade-${grade}`, title: `${what} grade ${text}`, "data-grade": grade }, text);
}

export function trendMark(trend: Trend): HTMLElement {
  const [symbol, title] =
    trend === "up" ? ["▲", "higher than 24 h before"] : trend === "down" ? ["▼", "lower than 24 h before"] : trend === "same" ? ["▶", "as 24 h before"] : ["", "no grade 24 h before"];
  return h("span", { class: `trend trend-${trend ?? "none"}`, title }, symbol);
}
