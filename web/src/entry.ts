// Entry forms: vitals, oxygen, vasopressors, ICE assessment, labs and drugs given. Each form builds
// events in the timeline format (docs/timeline-format.md) and posts them in one request, recorded all
// or nothing; the server checks them exactly as the file reader does, and each problem it reports is
// shown at the field its JSON pointer names. Units are chosen, never assumed.
import { ApiError, call, patientPath, type Problem, type Vocabulary } from "./api";
import { h, replaceContent } from "./dom";

type TimelineEvent = Record<string, unknown>;

interface Field {
  pointer: string;  // where in the request body the server reports a problem with this field
  element: HTMLElement;
  message: HTMLElement;
}

class Form {
  readonly fields: Field[] = [];
  readonly general = h("p", { class: "form-error", role: "alert" });
  readonly done = h("p", { class: "form-done", role: "status" });

  // One labelled row; `pointers` are where the server reports its problems (the first names the row):
  // a value with its unit is "/value" and "/unit".
  field(label: string, pointers: string | string[], ...inputs: HTMLElement[]): HTMLElement {
    const all = typeof pointers === "string" ? [pointers] : pointers;
    const message = h("span", { class: "field-error" });
    for (const pointer of all) this.fields.push({ pointer, element: inputs[0], message });
    return h("div", { class: "field", "data-pointer": all[0] }, h("label", {}, h("span", { class: "label" }, label), ...inputs), message);
  }

  clear(): void {
    for (const f of this.fields) {
      f.message.textContent = "";
      f.element.removeAttribute("aria-invalid");
    }
    this.general.textContent = "";
    this.done.textContent = "";
  }

  // The field whose pointer is the longest prefix of the problem's ("/0/value" → "/0/value"; "/0" → the row).
  show(problem: Problem): void {
    let best: Field | undefined;
    for (const f of this.fields) {
      if ((problem.pointer === f.pointer || problem.pointer.startsWith(f.pointer + "/")) && (!best || f.pointer.length > best.pointer.length)) best = f;
    }
    if (!best) {
      this.general.append(h("div", {}, `${problem.pointer || "/"}: ${problem.reason}`));
      return;
    }
    best.element.setAttribute("aria-invalid", "true");
    best.message.textContent = best.message.textContent ? `${best.message.textContent}; ${problem.reason}` : problem.reason;
  }
}

// Problems the form finds itself (nothing chosen), shown at their fields as the server's are.
class FormProblems extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.reason).join("; "));
  }
}

// Throws FormProblems naming every required choice left empty: a unit, a drug, a device is never assumed.
function requireChosen(choices: [pointer: string, select: HTMLSelectElement | HTMLInputElement, what: string][]): void {
  const problems = choices.filter(([, select]) => select.value.trim() === "").map(([pointer, , what]) => ({ pointer, field: "", reason: `choose ${what}` }));
  if (problems.length > 0) throw new FormProblems(problems);
}

// A unit to choose: preselected only when there is one; else nothing until the user chooses.
function unitSelect(name: string, units: readonly string[]): HTMLSelectElement {
  return select(name, units, units.length === 1 ? undefined : "unit…");
}
function fillUnits(unit: HTMLSelectElement, units: readonly string[]): void {
  replaceContent(unit, units.length === 1 ? null : h("option", { value: "" }, "unit…"), ...units.map((u) => h("option", { value: u }, u)));
}

const number = (name: string, attributes: Record<string, string> = {}) => h("input", { type: "number", step: "any", name, inputmode: "decimal", ...attributes });
function select(name: string, options: readonly string[], blank?: string): HTMLSelectElement {
  return h("select", { name }, blank !== undefined ? h("option", { value: "" }, blank) : null, ...options.map((o) => h("option", { value: o }, o)));
}
const valueOf = (input: HTMLInputElement) => (input.value.trim() === "" ? null : Number(input.value));
const quantity = (value: number, unit: string) => ({ value, unit });

// Day and clock of the readings: by default now, as a study day counted from the infusion's date.
// Until the user edits them, the day and clock follow the time of recording (read again at each
// submission, not when the page was opened); after a reading is recorded they follow it again.
function timeFields(form: Form, defaultDay: () => number | null): { element: HTMLElement; time: () => TimelineEvent; reset: () => void } {
  const day = number("day", { step: "1" });
  const clock = h("input", { type: "time", name: "clock" });
  let edited = false;
  const follow = () => {
    const now = new Date();
    const today = defaultDay();
    day.value = today === null ? "" : String(today);
    clock.value = `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
  };
  for (const input of [day, clock]) input.addEventListener("input", () => (edited = true));
  follow();
  const element = h("div", { class: "time" }, form.field("study day", "/time", day), form.field("clock", "/time/clock", clock));
  const time = () => {
    if (!edited) follow();
    requireChosen([["/time", day, "the study day (the infusion's date is not known)"]]);
    return clock.value ? { day: Number(day.value), clock: clock.value } : { day: Number(day.value) };
  };
  return { element, time, reset: () => { edited = false; follow(); } };
}

function unitsOf(vocabulary: Vocabulary, code: string): string[] {
  return vocabulary.observations.find((o) => o.code === code)?.units ?? [];
}

interface Panel {
  title: string;
  form: Form;
  body: HTMLElement;
  clear: () => void;  // after a reading is recorded: empty values, the time following now again
  events: () => TimelineEvent[];  // throws Error for what the form itself can tell (nothing entered)
  // Maps the pointer of event N in the request to the form's pointer space.
  pointerOf?: (index: number) => string;
}

// A form's inputs emptied after a reading is recorded (selects back to their first option).
function emptied(...inputs: (HTMLInputElement | HTMLSelectElement)[]): void {
  for (const input of inputs) {
    if (input instanceof HTMLSelectElement) input.selectedIndex = 0;
    else input.value = "";
  }
}

type Today = () => number | null;

function vitalsPanel(vocabulary: Vocabulary, today: Today): Panel {
  const form = new Form();
  const time = timeFields(form, today);
  const vitals: [code: string, label: string][] = [
    ["body_temperature", "temperature"],
    ["heart_rate", "heart rate"],
    ["respiratory_rate", "respiratory rate"],
    ["systolic_bp", "systolic BP"],
    ["diastolic_bp", "diastolic BP"],
    ["spo2", "SpO₂"],
  ];
  const rows = vitals.map(([code, label]) => ({ code, label, input: number(code), unit: unitSelect(`${code}_unit`, unitsOf(vocabulary, code)) }));
  // The server's pointers name the reading's place in the list sent: mapped back by pointerOf.
  const body = h("div", {}, time.element, ...rows.map((row) => form.field(row.label, `/vital/${row.code}`, row.input, row.unit)));
  let filled: typeof rows = [];
  return {
    title: "Vitals",
    form,
    body,
    clear: () => {
      emptied(...rows.flatMap((r) => [r.input, r.unit]));
      time.reset();
    },
    events: () => {
      const entered = rows.filter((r) => r.input.value.trim() !== "");
      if (entered.length === 0) throw new Error("enter at least one vital sign");
      requireChosen(entered.map((r) => [`/vital/${r.code}`, r.unit, `the unit of the ${r.label}`]));
      const at = time.time();
      filled = entered;
      return entered.map((r) => ({ kind: "observation", code: r.code, value: valueOf(r.input), unit: r.unit.value, time: at }));
    },
    pointerOf: (index) => `/vital/${filled[index]?.code ?? ""}`,
  };
}

function oxygenPanel(vocabulary: Vocabulary, today: Today): Panel {
  const form = new Form();
  const time = timeFields(form, today);
  const device = select("device", vocabulary.oxygen_devices, "device…");
  const flow = number("flow");
  const fio2 = number("fio2");
  const body = h("div", {}, time.element, form.field("device", "/device", device), form.field("flow (L/min)", "/flow", flow), form.field("FiO₂ (%)", "/fio2", fio2));
  return {
    title: "Oxygen",
    form,
    body,
    clear: () => {
      emptied(device, flow, fio2);
      time.reset();
    },
    events: () => {
      requireChosen([["/device", device, "the device (none, if the oxygen was stopped)"]]);
      const event: TimelineEvent = { kind: "oxygen", device: device.value, time: time.time() };
      const f = valueOf(flow);
      const o = valueOf(fio2);
      if (f !== null) event.flow = quantity(f, "L/min");
      if (o !== null) event.fio2 = quantity(o, "%");
      return [event];
    },
  };
}

function vasopressorPanel(vocabulary: Vocabulary, today: Today): Panel {
  const form = new Form();
  const time = timeFields(form, today);
  const agent = select("agent", vocabulary.vasopressors.map((v) => v.agent), "agent…");
  const action = select("action", vocabulary.vasopressor_actions, "action…");
  const dose = number("dose");
  const unit = select("dose_unit", []);
  const units = () => fillUnits(unit, vocabulary.vasopressors.find((v) => v.agent === agent.value)?.dose_units ?? []);
  agent.addEventListener("change", units);
  units();
  const body = h("div", {}, time.element, form.field("agent", "/agent", agent), form.field("action", "/action", action), form.field("dose", ["/dose", "/dose/value", "/dose/unit"], dose, unit));
  return {
    title: "Vasopressor",
    form,
    body,
    clear: () => {
      emptied(agent, action, dose);
      units();
      time.reset();
    },
    events: () => {
      const d = valueOf(dose);
      requireChosen([["/agent", agent, "the agent"], ["/action", action, "start, adjust or stop"], ...(d !== null ? [["/dose", unit, "the dose's unit"] as [string, HTMLSelectElement, string]] : [])]);
      const event: TimelineEvent = { kind: "vasopressor", agent: agent.value, action: action.value, time: time.time() };
      if (d !== null) event.dose = quantity(d, unit.value);
      return [event];
    },
  };
}

const kIceItems: [item: string, label: string, max: number][] = [
  ["orientation", "orientation (year, month, city, hospital)", 4],
  ["naming", "naming 3 objects", 3],
  ["commands", "following commands", 1],
  ["writing", "writing a standard sentence", 1],
  ["attention", "attention (count back from 100 by 10)", 1],
];

function icePanel(vocabulary: Vocabulary, today: Today): Panel {
  const form = new Form();
  const time = timeFields(form, today);
  const total = h("output", { name: "ice_total" }, "—");
  const items = kIceItems.map(([item, label, max]) => ({ item, label, max, choice: select(`ice_${item}`, Array.from({ length: max + 1 }, (_, i) => String(i)), "not scored") }));
  const update = () => {
    const scored = items.filter((i) => i.choice.value !== "");
    total.textContent = scored.length === items.length ? `${scored.reduce((sum, i) => sum + Number(i.choice.value), 0)} / 10` : `${scored.length} of 5 items scored`;
  };
  for (const i of items) i.choice.addEventListener("change", update);
  update();
  const consciousness = select("consciousness", vocabulary.consciousness, "not assessed");
  const body = h(
    "div",
    {},
    time.element,
    ...items.map((i) => form.field(`${i.label} (0–${i.max})`, `/ice/${i.item}`, i.choice)),
    h("p", { class: "ice-total" }, "ICE total: ", total),
    form.field("level of consciousness", "/consciousness", consciousness),
  );
  return {
    title: "ICE",
    form,
    body,
    clear: () => {
      emptied(...items.map((i) => i.choice), consciousness);
      update();
      time.reset();
    },
    events: () => {
      const event: TimelineEvent = { kind: "neuro", time: time.time() };
      if (items.some((i) => i.choice.value !== "")) {
        requireChosen(items.map((i) => [`/ice/${i.item}`, i.choice, "a score: all five ICE items, or none"]));
        event.ice = Object.fromEntries(items.map((i) => [i.item, Number(i.choice.value)]));
      }
      if (consciousness.value) event.consciousness = consciousness.value;
      if (!event.ice && !event.consciousness) throw new Error("score the ICE items or the level of consciousness");
      return [event];
    },
  };
}

function labPanel(vocabulary: Vocabulary, today: Today): Panel {
  const form = new Form();
  const time = timeFields(form, today);
  const labs = vocabulary.observations.filter((o) => o.category !== "vital_sign");
  const code = h("select", { name: "code" }, h("option", { value: "" }, "test…"), ...labs.map((o) => h("option", { value: o.code }, `${o.display} (${o.code})`)));
  const comparator = select("comparator", ["<", "<=", ">=", ">"], "=");
  const value = number("value");
  const unit = select("unit", []);
  const units = () => fillUnits(unit, unitsOf(vocabulary, code.value));
  code.addEventListener("change", units);
  units();
  const body = h("div", {}, time.element, form.field("test", "/code", code), form.field("value", ["/value", "/unit", "/comparator"], comparator, value, unit));
  return {
    title: "Lab",
    form,
    body,
    clear: () => {
      emptied(code, comparator, value);
      units();
      time.reset();
    },
    events: () => {
      requireChosen([["/code", code, "the test"], ["/value", unit, "the unit (mg/L and mg/dL differ tenfold)"]]);
      const event: TimelineEvent = { kind: "observation", code: code.value, value: valueOf(value), unit: unit.value, time: time.time() };
      if (comparator.value) event.comparator = comparator.value;
      return [event];
    },
  };
}

function drugPanel(vocabulary: Vocabulary, today: Today): Panel {
  const form = new Form();
  const time = timeFields(form, today);
  const drug = select("drug", vocabulary.drugs.map((d) => d.name), "drug…");
  const dose = number("dose");
  const unit = select("dose_unit", []);
  const units = () => fillUnits(unit, vocabulary.drugs.find((d) => d.name === drug.value)?.dose_units ?? []);
  drug.addEventListener("change", units);
  units();
  const route = select("route", vocabulary.routes, "not recorded");
  const indication = select("indication", vocabulary.indications, "not recorded");
  const body = h("div", {}, time.element, form.field("drug", "/drug", drug), form.field("dose", ["/dose", "/dose/value", "/dose/unit"], dose, unit), form.field("route", "/route", route), form.field("indication", "/indication", indication));
  return {
    title: "Drug given",
    form,
    body,
    clear: () => {
      emptied(drug, dose, route, indication);
      units();
      time.reset();
    },
    events: () => {
      const d = valueOf(dose);
      requireChosen([["/drug", drug, "the drug"], ...(d !== null ? [["/dose", unit, "the dose's unit"] as [string, HTMLSelectElement, string]] : [])]);
      const event: TimelineEvent = { kind: "administration", drug: drug.value, time: time.time() };
      if (d !== null) event.dose = quantity(d, unit.value);
      if (route.value) event.route = route.value;
      if (indication.value) event.indication = indication.value;
      return [event];
    },
  };
}

// A pointer into the request body ("/2/value" of a list, "/value" of one event) in the form's terms.
function formPointer(panel: Panel, pointer: string, asList: boolean): string {
  if (!asList) return pointer;
  const match = /^\/(\d+)(\/.*)?$/.exec(pointer);
  if (!match || !panel.pointerOf) return pointer;
  const rest = match[2] ?? "";
  // A vital's own fields (value, unit) all belong to its row; its time to the time fields.
  return rest.startsWith("/time") ? rest : panel.pointerOf(Number(match[1]));
}

async function submit(patient: string, panel: Panel, button: HTMLButtonElement, done: () => void): Promise<void> {
  const { form } = panel;
  if (button.disabled) return;  // one submission at a time: a double click must not record twice
  form.clear();
  let events: TimelineEvent[];
  try {
    events = panel.events();
  } catch (error) {
    if (error instanceof FormProblems) for (const problem of error.problems) form.show(problem);
    else form.general.textContent = error instanceof Error ? error.message : String(error);
    return;
  }
  const asList = events.length > 1 || panel.pointerOf !== undefined;
  button.disabled = true;
  try {
    await call("POST", `${patientPath(patient)}/events`, asList ? events : events[0]);
    panel.clear();
    form.done.textContent = `recorded ${events.length === 1 ? "1 event" : `${events.length} events`} at ${new Date().toLocaleTimeString()}`;
    done();
  } catch (error) {
    if (error instanceof ApiError && error.problems.length > 0) {
      for (const problem of error.problems) form.show({ ...problem, pointer: formPointer(panel, problem.pointer, asList) });
    } else {
      form.general.textContent = error instanceof Error ? error.message : String(error);
    }
  } finally {
    button.disabled = false;
  }
}

// The study day of today (day 0 is the infusion's calendar day), when the infusion's date is known;
// else null, and the day must be entered.
function todayStudyDay(timeline: { infusion?: { time?: unknown } }): number | null {
  const time = timeline.infusion?.time;
  if (typeof time !== "string") return null;
  const [year, month, day] = time.slice(0, 10).split("-").map(Number);
  const infusion = Date.UTC(year, month - 1, day);
  const now = new Date();
  return Math.round((Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) - infusion) / 86_400_000);
}

export async function entryForms(patient: string, done: () => void): Promise<HTMLElement> {
  const [vocabulary, timeline] = await Promise.all([
    call<Vocabulary>("GET", "/vocabulary"),
    call<{ infusion?: { time?: unknown } }>("GET", `${patientPath(patient)}/timeline`),
  ]);
  const today = () => todayStudyDay(timeline);
  const panels = [vitalsPanel, oxygenPanel, vasopressorPanel, icePanel, labPanel, drugPanel].map((make) => make(vocabulary, today));
  const tabs = h("div", { class: "tabs", role: "tablist" });
  const content = h("div", { class: "tab-content" });
  const open = (panel: Panel) => {
    for (const b of tabs.querySelectorAll("button")) b.setAttribute("aria-selected", String(b.textContent === panel.title));
    const button = h("button", { type: "submit" }, `Record ${panel.title.toLowerCase()}`);
    const formElement = h(
      "form",
      { class: "entry", "data-form": panel.title, onsubmit: (e) => { e.preventDefault(); void submit(patient, panel, button, done); } },
      panel.body,
      panel.form.general,
      button,
      panel.form.done,
    );
    replaceContent(content, formElement);
  };
  for (const panel of panels) tabs.append(h("button", { type: "button", role: "tab", onclick: () => open(panel) }, panel.title));
  open(panels[0]);
  return h("section", { id: "entry" }, h("h2", {}, "Record"), tabs, content);
}
