// Browser end-to-end test of the dashboard (issue 8): `crsguard serve --demo` on a free port, Debian's
// Chromium driven by playwright-core. A clinician's round: log in, open the ward board, open a patient
// in an active course, enter vitals that raise the CRS grade (after an implausible one is refused at
// its field), see the new grade and the recommendation, accept it, see it in the history. Screenshots
// of each step are written to the artefact folder.
//
//   node web/tests/dashboard.e2e.mjs CRSGUARD_BINARY ARTEFACT_FOLDER
// Exit status: 0 passed, 1 failed, 77 skipped (no Chromium, and CRSGUARD_REQUIRE_CHROMIUM is not 1).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const [binary, artefacts] = process.argv.slice(2);
if (!binary || !artefacts) {
  console.error("usage: dashboard.e2e.mjs CRSGUARD_BINARY ARTEFACT_FOLDER");
  process.exit(2);
}
const browserPath = process.env.CRSGUARD_CHROMIUM || ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
if (!browserPath) {
  const required = process.env.CRSGUARD_REQUIRE_CHROMIUM === "1";
  console.error(`no Chromium found${required ? " (CRSGUARD_REQUIRE_CHROMIUM=1: this is a failure)" : ": skipped"}`);
  process.exit(required ? 1 : 77);
}
mkdirSync(artefacts, { recursive: true });

// The demo server: its console says where it listens and the demo account's password.
function startDemo() {
  return new Promise((resolve, reject) => {
    const server = spawn(binary, ["serve", "--demo", "--port", "0"], { stdio: ["ignore", "inherit", "pipe"] });
    let text = "";
    const timer = setTimeout(() => reject(new Error(`the demo server did not start in 120 s:\n${text}`)), 120_000);
    server.stderr.on("data", (chunk) => {
      text += chunk;
      process.stderr.write(chunk);
      const password = /log in as (\S+) with password (\S+)/.exec(text);
      const address = /(http:\/\/[\d.]+:\d+)\//.exec(text);
      if (password && address) {
        clearTimeout(timer);
        resolve({ server, url: address[1], username: password[1], password: password[2] });
      }
    });
    server.on("exit", (code) => reject(new Error(`the demo server exited (${code}):\n${text}`)));
  });
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const demo = await startDemo();
const browser = await chromium.launch({ executablePath: browserPath, headless: true, args: ["--no-sandbox"] });
const pageErrors = [];
let step = 0;
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const shot = async (name) => page.screenshot({ path: path.join(artefacts, `${String(++step).padStart(2, "0")}-${name}.png`), fullPage: true });
page.on("pageerror", (error) => pageErrors.push(`page error: ${error.message}`));
// Refusals the round provokes on purpose; any other failed request is an error of the page.
const expectedRefusals = [];
page.on("console", (message) => {
  if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) pageErrors.push(`console: ${message.text()}`);
});
page.on("response", (response) => {
  if (response.status() < 400) return;
  const what = `${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`;
  const expected = expectedRefusals.indexOf(what);
  if (expected >= 0) expectedRefusals.splice(expected, 1);
  else pageErrors.push(`request refused: ${what}`);
});
page.setDefaultTimeout(30_000);

let failed = false;
try {
  // Log in (a wrong password first: refused, said on the page).
  expectedRefusals.push("GET /api/v1/session 401");  // not logged in yet
  await page.goto(`${demo.url}/`);
  await page.fill("input[name=username]", demo.username);
  await page.fill("input[name=password]", "not the password");
  expectedRefusals.push("POST /api/v1/session 401");
  await page.click("form.login button[type=submit]");
  await page.waitForSelector("form.login .error:not(:empty)");
  await page.fill("input[name=password]", demo.password);
  await page.click("form.login button[type=submit]");

  // The ward board: the three virtual patients in an active course, each with a grade or a dash.
  await page.waitForSelector("table.board tbody tr[data-patient]");
  const rows = await page.$$eval("table.board tbody tr[data-patient]", (trs) =>
    trs.map((tr) => ({ id: tr.dataset.patient, crs: tr.querySelector("td.crs .grade")?.getAttribute("data-grade") ?? null })),
  );
  check(rows.length >= 3, `the board lists ${rows.length} active patients, expected the 3 virtual ones`);
  await shot("ward-board");

  // The active patient with the lowest CRS grade now: vitals can raise it.
  const candidates = rows.filter((r) => r.id.startsWith("virtual-")).sort((a, b) => Number(a.crs ?? -1) - Number(b.crs ?? -1));
  check(candidates.length > 0, "no virtual patient on the board");
  const patient = candidates[0].id;
  await page.click(`tr[data-patient="${patient}"] a`);
  await page.waitForSelector("#recommendations");
  await page.waitForSelector("#figures figure[data-rendered=true]");
  // The vitals panel draws its three lines (Tmax, HRmax, SBPmin), not only the drug strip.
  const vitalLines = await page.$$eval("#figures figure:nth-of-type(1) .mark-line path", (paths) => paths.length);
  check(vitalLines >= 3, `the vitals panel draws ${vitalLines} lines, expected Tmax, HRmax and SBPmin`);
  const gradeBefore = Number((await page.getAttribute(".glance .grade", "data-grade")) ?? -1);
  await shot("patient-before");

  // An implausible temperature is refused at its field and nothing is recorded.
  const historyRows = async () => page.$$eval("#history tbody tr", (trs) => trs.length);
  const historyBefore = await historyRows();
  // A unit is never assumed: a temperature without one is refused by the form itself.
  await page.fill("form.entry input[name=body_temperature]", "39.6");
  await page.click("form.entry button[type=submit]");
  await page.waitForSelector('[data-pointer="/vital/body_temperature"] .field-error:not(:empty)');
  await page.selectOption("form.entry select[name=body_temperature_unit]", "Cel");
  await page.fill("form.entry input[name=body_temperature]", "60");
  expectedRefusals.push(`POST /api/v1/patients/${patient}/events 422`);
  await page.click("form.entry button[type=submit]");
  await page.waitForSelector('[data-pointer="/vital/body_temperature"] .field-error:not(:empty)');
  const fieldError = await page.textContent('[data-pointer="/vital/body_temperature"] .field-error');
  check(/plausible|range|outside/i.test(fieldError ?? ""), `the implausible temperature's error reads "${fieldError}"`);
  check((await historyRows()) === historyBefore, "a refused reading changed the history");
  await shot("implausible-refused");

  // Fever with hypotension: ASTCT grade ≥ 2 (hypotension not needing a vasopressor at least).
  await page.fill("form.entry input[name=body_temperature]", "39.6");
  await page.fill("form.entry input[name=heart_rate]", "134");
  await page.fill("form.entry input[name=systolic_bp]", "78");
  for (const [code, unit] of [["heart_rate", "/min"], ["systolic_bp", "mm[Hg]"]]) {
    const choice = `form.entry select[name=${code}_unit]`;
    if ((await page.$$(`${choice} option`)).length > 1) await page.selectOption(choice, unit);
  }
  const loaded = await page.getAttribute("#main", "data-loaded");
  await page.click("form.entry button[type=submit]");
  await page.waitForSelector(".form-done:not(:empty)");
  await page.waitForFunction((before) => document.getElementById("main")?.dataset.loaded !== before, loaded);
  const gradeAfter = Number((await page.getAttribute(".glance .grade", "data-grade")) ?? -1);
  check(gradeAfter >= 2 && gradeAfter > gradeBefore, `CRS grade ${gradeBefore} → ${gradeAfter}: expected it to rise to ≥ 2`);
  const recommendations = await page.$$("#recommendations article.recommendation");
  check(recommendations.length > 0, "no recommendation after the grade rose");
  const drug = await page.textContent("#recommendations article.recommendation h3");
  await shot("grade-raised-recommendation");

  // Accept the first recommendation; the decision and its audit entry appear.
  const step = await page.getAttribute("#recommendations article.recommendation", "data-step");
  await page.click("#recommendations article.recommendation button.accept");
  await page.waitForSelector("#decisions td.decision-accepted");
  await page.waitForSelector("#history tr.action-decision");
  const decided = await page.textContent("#decisions tbody tr");
  check(decided?.includes(step ?? "?"), `the decision row "${decided}" does not name step ${step}`);
  const audited = await page.textContent("#history tr.action-decision");
  check(audited?.includes(demo.username), `the audit entry "${audited}" does not name ${demo.username}`);
  await shot("accepted-in-history");

  // The cohort page draws the report's figures.
  await page.click("nav a[href='#/cohort']");
  await page.waitForSelector("figure[data-rendered=true]");
  await shot("cohort");
  check(pageErrors.length === 0, `the page reported errors:\n${pageErrors.join("\n")}`);
  console.log(`passed: ${patient} CRS ${gradeBefore} → ${gradeAfter}, accepted ${drug?.trim()} (${step}); screenshots in ${artefacts}`);
} catch (error) {
  failed = true;
  console.error(`FAILED: ${error instanceof Error ? error.message : error}`);
  if (pageErrors.length > 0) console.error(pageErrors.join("\n"));
  await shot("failure").catch(() => undefined);
} finally {
  await browser.close();
  demo.server.kill("SIGTERM");
}
process.exit(failed ? 1 : 0);
