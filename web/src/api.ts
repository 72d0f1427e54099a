// The REST API (docs/api.md) as typed calls. Every state-changing request carries the session's CSRF
// token; an error answer becomes an ApiError that keeps the server's `where` and `problems`, so that a
// form can show each problem at its field.

export interface StudyTime {
  day: number;
  clock?: string;
  hours_since_infusion: number;
}

export interface Problem {
  pointer: string;
  field: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly where: string | undefined,
    readonly problems: Problem[],
  ) {
    super(message);
  }
}

export interface Session {
  username: string;
  role: "viewer" | "clinician" | "admin";
  csrf_token: string;
}

export interface Alert {
  kind: "new_grade_2_or_more" | "steroid_refractory" | "dose_limit_reached" | "platelets_below_ruxolitinib_threshold";
  message: string;
}

export interface Glance {
  crs_now: { grade: number; lower_bound: boolean; at: StudyTime; episode: number } | null;
  icans_now: { grade: number; lower_bound: boolean; at: StudyTime } | null;
  crs_trend: Trend;
  icans_trend: Trend;
  crs_max: number | null;
  icans_max: number | null;
  last_observation: StudyTime | null;
}
export type Trend = "up" | "down" | "same" | null;

export interface PatientRow extends Glance {
  id: string;
  events: number;
  infusion_date: string | null;
  day_since_infusion: number | null;
  last_recorded_day: number | null;
  died: boolean;
  alerts: Alert[];
}

export interface Evidence {
  item: string;
  time: StudyTime;
  value?: number;
  comparator?: string;
  unit?: string;
  detail?: string;
}

export interface Check {
  check: string;
  kind: string;
  severity: "warn" | "block";
  status: "passed" | "triggered" | "unknown" | "overridden";
  statement: string;
  advice: string;
  source: string;
  evidence: Evidence[];
}

export interface Phase {
  mg: number | null;
  every_hours: number;
  computation: string[];
  missing: string[];
  summary: string;
  for_days?: number;
  until?: string;
}

export interface Recommendation {
  step: string;
  line: number;
  title: string;
  action: string;
  status: "actionable" | "blocked" | "overridden";
  repeat_dose: boolean;
  schedule: Phase[];
  because: string[];
  evidence: Evidence[];
  checks: Check[];
  off_label: boolean;
  source: string;
  drug?: string;
  route?: string;
  instruction?: string;
  note?: string;
}

export interface Advice {
  patient: string;
  protocol: { name: string; version: string; file: string };
  at: StudyTime;
  state: {
    crs: { grade: number | null; highest_possible?: number; complete?: boolean; assessed_at?: StudyTime };
    icans: { grade: number | null; highest_possible?: number; complete?: boolean; assessed_at?: StudyTime };
    therapies: { drug: string; class: string; doses: number; first_dose: StudyTime; last_dose: StudyTime; on: boolean }[];
    steroid_refractory: { verdict: string; statement: string; missing: string[] };
    response?: { statement: string };
  };
  recommendations: Recommendation[];
  notes: string[];
}

export interface HistoryEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  record: string;
  detail: Record<string, unknown> | null;
}

export interface Decision {
  number: number;
  protocol: string;
  step: string;
  drug: string;
  decision: "accepted" | "declined";
  reason: string;
  recommended_at: StudyTime;
  recorded_at: string;
  recorded_by: string;
}

export interface Vocabulary {
  observations: {
    code: string;
    display: string;
    category: "vital_sign" | "laboratory" | "cytokine" | "car_t_kinetics" | "disease";
    canonical_unit: string;
    units: string[];
    plausible_min: number;
    plausible_max: number;
  }[];
  drugs: { name: string; class: string; dose_units: string[] }[];
  vasopressors: { agent: string; dose_units: string[] }[];
  vasopressor_actions: string[];
  oxygen_devices: string[];
  consciousness: string[];
  routes: string[];
  indications: string[];
}

export type ReportBlock =
  | { type: "paragraph"; text: string }
  | { type: "table"; caption: string; header: string[]; rows: string[][] }
  | { type: "figure"; id: string; caption: string; spec: object };

export interface ReportDocument {
  title: string;
  subtitle: string;
  generated: string;
  sections: { heading: string; blocks: ReportBlock[] }[];
}

let csrfToken = "";

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const document = await response.json().catch(() => null);
  if (!response.ok) {
    // The session ended (idle, or the server restarted): the page goes back to the login form.
    if (response.status === 401 && path !== "/session") window.dispatchEvent(new Event("crsguard:logged-out"));
    const error = document?.error;
    throw new ApiError(response.status, error?.message ?? `HTTP ${response.status}`, error?.where, error?.problems ?? []);
  }
  return document as T;
}

export async function currentSession(): Promise<Session | null> {
  try {
    const session = await call<Session>("GET", "/session");
    csrfToken = session.csrf_token;
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function logIn(username: string, password: string): Promise<Session> {
  const session = await call<Session>("POST", "/session", { username, password });
  csrfToken = session.csrf_token;
  return session;
}

export async function logOut(): Promise<void> {
  await call("DELETE", "/session");
  csrfToken = "";
}

export const patientPath = (id: string) => `/patients/${encodeURIComponent(id)}`;
