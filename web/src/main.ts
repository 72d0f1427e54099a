// The dashboard's shell: log in, then route by the URL's hash (#/board, #/patient/ID, #/cohort).
import "./style.css";
import { call, currentSession, logIn, logOut, type Session } from "./api";
import { showBoard } from "./board";
import { showCohort } from "./cohort";
import { errorBox, h, replaceContent } from "./dom";
import { showPatient } from "./patient";

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const protocolChoice = document.getElementById("protocol") as HTMLSelectElement;
let leaving = new AbortController();
let session: Session | null = null;  // who is logged in now (another user may log in after a session ends)

function showLogin(): void {
  nav.hidden = true;
  const username = h("input", { name: "username", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const message = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    { class: "login" },
    h("h1", {}, "Log in"),
    h("label", {}, "User name ", username),
    h("label", {}, "Password ", password),
    h("button", { type: "submit" }, "Log in"),
    message,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await start(await logIn(username.value, password.value));
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
    }
  });
  replaceContent(main, form);
  username.focus();
}

async function route(): Promise<void> {
  if (!session) return;
  leaving.abort();
  leaving = new AbortController();
  const [, page, id] = location.hash.split("/");
  const protocol = protocolChoice.value;
  try {
    if (page === "patient" && id) await showPatient(main, decodeURIComponent(id), protocol, session);
    else if (page === "cohort") await showCohort(main);
    else await showBoard(main, protocol, leaving.signal);
  } catch (error) {
    replaceContent(main, errorBox(error));
  }
}

let started = false;
async function start(loggedIn: Session): Promise<void> {
  session = loggedIn;
  nav.hidden = false;
  (document.getElementById("who") as HTMLElement).textContent = `${session.username} (${session.role})`;
  const { protocols } = await call<{ protocols: { name: string; title: string }[] }>("GET", "/protocols");
  const chosen = localStorage.getItem("crsguard.protocol");
  replaceContent(protocolChoice, ...protocols.map((p) => h("option", { value: p.name, selected: p.name === chosen, title: p.title }, p.name)));
  if (!started) {
    started = true;
    window.addEventListener("hashchange", () => void route());
    protocolChoice.addEventListener("change", () => {
      localStorage.setItem("crsguard.protocol", protocolChoice.value);
      void route();
    });
    document.getElementById("logout")?.addEventListener("click", async () => {
      await logOut().catch(() => undefined);
      location.hash = "";
      location.reload();
    });
  }
  await route();
}

window.addEventListener("crsguard:logged-out", () => {
  if (!session) return;
  session = null;
  leaving.abort();
  showLogin();
});

currentSession()
  .then((existing) => (existing ? start(existing) : showLogin()))
  .catch((error) => replaceContent(main, errorBox(error)));
