// The dashboard's frame: the admin token, the admin API client, the polling loop, the clock and
// the tenants on the left. The tabs are drawn by views.js.

import { $, draw, el, fill, fullTime } from "./dom.js";
import { TABS, wire } from "./views.js";

const TOKEN_KEY = "payoutsim.adminToken";
const POLL_MS = 1000;

// Errors the page ran into, for people (the banner) and for the browser test (this list).
window.__dashboardErrors = [];
function pageError(message) {
  const errors = window.__dashboardErrors;
  if (errors[errors.length - 1] === message) return; // the same bug, met again by the next poll
  errors.push(message);
  const banner = $("#error-banner");
  banner.textContent = `The dashboard hit an error: ${message}`;
  banner.hidden = false;
}
window.addEventListener("error", (e) => pageError(e.message));
window.addEventListener("unhandledrejection", (e) => pageError(String(e.reason?.stack || e.reason)));

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || "",
  locked: false, // the admin API refused the token (or wants one): the login form is up
  tab: "objects",
  provider: null, // the scope picked on the left: a provider, and maybe one of its tenants
  tenant: null,
  open: {}, // per tab, the row opened for its detail
  tenants: {}, // the last `GET /__admin/tenants`: provider -> its tenants
  live: true,
  running: null, // the refresh in flight
  again: false, // another refresh was asked for while one ran
  timer: null,
};

/** The admin API answered with an error. */
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The admin API did not answer (the simulator stopped, say). */
class Unreachable extends Error {}

/** An admin call: its JSON answer, or an `ApiError` with the admin API's `{"error"}` text. */
async function api(path, { method = "GET", body, type = "application/json" } = {}) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = type;
    payload = typeof body === "string" ? body : JSON.stringify(body);
  }
  let resp;
  let text;
  try {
    resp = await fetch(path, { method, headers, body: payload, cache: "no-store" });
    text = await resp.text();
  } catch (e) {
    throw new Unreachable(e.message);
  }
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!resp.ok) throw new ApiError(resp.status, data?.error || text || resp.statusText);
  return data;
}

/** Everything the tabs need from the frame. */
const ctx = {
  state,
  api,
  refresh: () => refresh(),
  providersWithTenants: () => Object.entries(state.tenants).filter(([, list]) => list.length).map(([p]) => p),
  reopen(tab, key) {
    state.open[tab] = state.open[tab] === key ? null : key;
    return refresh();
  },
};

// ---- the loop ----------------------------------------------------------------------------------

/** Reads the admin API and redraws what changed; a call made while one runs runs after it. */
async function refresh() {
  if (state.locked) return;
  if (state.running) {
    state.again = true;
    return state.running;
  }
  state.running = (async () => {
    do {
      state.again = false;
      await readAll();
    } while (state.again && !state.locked);
  })();
  try {
    await state.running;
  } finally {
    state.running = null;
  }
}

async function readAll() {
  try {
    const [health, tenants] = await Promise.all([api("/__admin/health"), api("/__admin/tenants")]);
    showApp();
    drawHeader(health);
    state.tenants = tenants.tenants || {};
    drawTenants(state.tenants);
    await TABS[state.tab](ctx);
    setStatus(`updated ${new Date().toLocaleTimeString()}`, false);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin(state.token ? "The admin API refused this token." : "");
    else if (e instanceof ApiError) setStatus(e.message, true);
    else if (e instanceof Unreachable) setStatus(`cannot reach the simulator (${e.message})`, true);
    else pageError(String(e?.stack || e)); // a bug of the page's own: say so, loudly
  }
}

function tick() {
  clearTimeout(state.timer);
  state.timer = null;
  if (!state.live || state.locked) return;
  refresh().finally(() => {
    if (state.live && !state.locked && state.timer === null) state.timer = setTimeout(tick, POLL_MS);
  });
}

function setStatus(text, isError) {
  const node = $("#status");
  node.textContent = text;
  node.className = isError ? "error" : "muted";
}

// ---- the token ---------------------------------------------------------------------------------

function showLogin(message) {
  state.locked = true;
  $("#app").hidden = true;
  $("#login").hidden = false;
  $("#login-message").textContent = message;
  $("#token-input").focus();
}

function showApp() {
  $("#login").hidden = true;
  $("#app").hidden = false;
  $("#token-forget").hidden = !state.token;
}

$("#login").addEventListener("submit", (e) => {
  e.preventDefault();
  state.token = $("#token-input").value.trim();
  sessionStorage.setItem(TOKEN_KEY, state.token);
  state.locked = false;
  tick();
});

$("#token-forget").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = "";
  window.location.reload();
});

// ---- the header: the clock ---------------------------------------------------------------------

function drawHeader(health) {
  const clock = health.clock || {};
  $("#clock-now").textContent = fullTime(clock.now);
  $("#clock-now").title = clock.now || "";
  $("#clock-mode").textContent = clock.mode === "real" ? `real clock ×${clock.time_scale}` : `${clock.mode} clock`;
  $("#about").textContent = `v${health.version} · seed ${health.seed} · journal ${health.journal?.entries}/${health.journal?.cap}`;
}

async function advance(seconds) {
  const result = $("#advance-result");
  if (!Number.isFinite(seconds) || seconds < 0) {
    result.textContent = "give a number of seconds ≥ 0";
    result.className = "error";
    return;
  }
  result.textContent = "advancing…";
  result.className = "muted";
  try {
    const answer = await api("/__admin/clock/advance", { method: "POST", body: { seconds } });
    result.textContent = answer.settled
      ? `+${seconds} s, all due webhooks sent`
      : `+${seconds} s, webhook attempts still going on`;
  } catch (e) {
    result.textContent = e.message;
    result.className = "error";
  }
  await refresh();
}

for (const button of document.querySelectorAll("#advance-form [data-seconds]")) {
  button.addEventListener("click", () => advance(Number(button.dataset.seconds)));
}
$("#advance-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("#advance-seconds");
  advance(input.value === "" ? NaN : Number(input.value));
});

$("#live").addEventListener("change", (e) => {
  state.live = e.target.checked;
  tick();
});

// ---- the tenants, per provider -----------------------------------------------------------------

function pick(provider, tenant) {
  state.provider = provider;
  state.tenant = tenant;
  state.open = {};
  drawScope();
  return refresh();
}

function drawScope() {
  const scope = state.tenant || state.provider || "every provider";
  $("#scope").textContent = `showing: ${scope}`;
}

function drawTenants(grouped) {
  draw("tenants", [grouped, state.provider, state.tenant], () => {
    const current = (p, t) => (state.provider === p && state.tenant === t ? "true" : "false");
    const groups = Object.entries(grouped).map(([provider, tenants]) =>
      el("div", { class: "provider" },
        el("button", {
          type: "button", class: "provider-name", "data-provider": provider,
          "aria-current": current(provider, null), onclick: () => pick(provider, null),
        }, provider, el("span", { class: "count", text: String(tenants.length) })),
        tenants.map((t) =>
          el("button", {
            type: "button", class: "tenant", "data-tenant": t.tenant, title: `first seen ${t.first_seen}`,
            "aria-current": current(provider, t.tenant), onclick: () => pick(provider, t.tenant),
          }, t.tenant.slice(provider.length + 1), t.environment ? el("span", { class: "tag", text: t.environment }) : null)),
      ));
    fill($("#tenants"),
      el("button", {
        type: "button", class: "provider-name", "data-provider": "",
        "aria-current": current(null, null), onclick: () => pick(null, null),
      }, "every provider"),
      ...groups);
  });
}

// ---- the tabs ----------------------------------------------------------------------------------

for (const button of document.querySelectorAll("[data-tab]")) {
  button.addEventListener("click", () => {
    state.tab = button.dataset.tab;
    for (const b of document.querySelectorAll("[data-tab]")) b.setAttribute("aria-selected", String(b === button));
    for (const name of Object.keys(TABS)) $(`#tab-${name}`).hidden = name !== state.tab;
    refresh();
  });
}

wire(ctx);
drawScope();
tick();
