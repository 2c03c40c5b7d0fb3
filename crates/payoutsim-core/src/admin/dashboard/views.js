// The dashboard's tabs. Each reads what it shows from the admin API, within the scope picked on
// the left (a provider, maybe one tenant), and redraws only when that changed.

import { $, draw, el, fill, headers, httpStatus, pre, query, shortTime, status, table } from "./dom.js";

const enc = encodeURIComponent;

// ---- objects and their status timelines --------------------------------------------------------

async function objects(ctx) {
  const { state, api } = ctx;
  const box = $("#objects");
  // Every provider that has a tenant, or the one picked on the left.
  const providers = state.provider ? [state.provider] : ctx.providersWithTenants();
  const scope = query({ provider: state.provider });
  const [views, log, timeline] = await Promise.all([
    Promise.all(providers.map((p) => api(`/__admin/providers/${enc(p)}/objects${query({ tenant: state.tenant })}`))),
    api(`/__admin/transitions${scope}`),
    api(`/__admin/timeline${scope}`),
  ]);
  const view = Object.assign({}, ...views.map((v, i) => ({ [providers[i]]: v })));
  const all = views.flatMap((v, i) => (v?.objects || []).map((o) => ({ provider: providers[i], ...o })));
  const kinds = [...new Set(all.map((o) => o.kind))].sort();
  const kindSelect = $("#object-kind");
  const kind = kinds.includes(kindSelect.value) ? kindSelect.value : "";
  draw("object-kinds", kinds, () => {
    fill(kindSelect, el("option", { value: "", text: "every kind" }), ...kinds.map((k) => el("option", { text: k })));
    kindSelect.value = kind;
  });
  const shown = all.filter((o) => !kind || o.kind === kind);
  const mine = (o) => (t) => t.provider === o.provider && t.tenant === o.tenant && (t.object_id ?? t.action?.object_id) === o.id;
  const transitions = (o) => (log?.transitions || []).filter(mine(o));
  const next = (o) => (timeline?.scheduled || []).filter(mine(o));
  // What a provider's view holds beside its objects (balances and the like).
  const rest = {};
  for (const [p, v] of Object.entries(view)) {
    const more = Object.entries(v || {}).filter(([k]) => k !== "objects");
    if (more.length) rest[p] = Object.fromEntries(more);
  }
  const open = state.open.objects;

  draw("objects", [view, log, timeline, kind, open, state.provider, state.tenant], () => {
    const head = [...(state.provider ? [] : ["provider"]), ...(state.tenant ? [] : ["tenant"]), "kind", "id", "status", "timeline"];
    const rows = shown.flatMap((o) => {
      const key = `${o.provider}\n${o.tenant}\n${o.kind}\n${o.id}`;
      const row = el("tr", {
        class: key === open ? "row open" : "row", "data-object": o.id, "data-kind": o.kind,
        onclick: () => ctx.reopen("objects", key),
      },
      state.provider ? null : el("td", { text: o.provider }),
      state.tenant ? null : el("td", { class: "id", text: o.tenant }),
      el("td", { text: o.kind }),
      el("td", { class: "id", text: o.id }),
      el("td", { class: "status" }, status(o.lifecycle?.status ?? o.object?.status)),
      el("td", { class: "timeline" }, el("div", { class: "steps" }, steps(o, transitions(o), next(o)))));
      if (key !== open) return [row];
      const width = head.length;
      return [row, el("tr", { class: "detail" }, el("td", { colspan: width }, objectDetail(o, transitions(o), next(o))))];
    });
    fill(box,
      table(head, rows, state.tenant ? "This tenant has no objects yet." : "No objects yet: make a request to a provider."),
      Object.keys(rest).length ? el("details", {}, el("summary", { text: "more of the provider's state" }), pre(rest)) : null);
  });
}

/** Past statuses (the transitions log, else the object's own history), then what is scheduled. */
function steps(o, transitions, next) {
  const past = transitions.length
    ? transitions.map((t) => ({ status: t.to, at: t.at, note: t.cause + (t.forced_by ? ` (forced by ${t.forced_by})` : "") }))
    : (o.lifecycle?.history || []).map((h) => ({ status: h.status, at: h.at, note: "" }));
  const done = past.map((s) =>
    el("span", { class: "step", title: `${s.at} ${s.note}`.trim() }, status(s.status), el("small", { text: shortTime(s.at) })));
  const coming = next.map((n) =>
    el("span", { class: "step next", title: `scheduled at ${n.due}` }, status(n.action.to), el("small", { text: `due ${shortTime(n.due)}` })));
  return [...done, ...coming].flatMap((s, i) => (i ? [el("span", { class: "arrow", text: "→" }), s] : [s]));
}

function objectDetail(o, transitions, next) {
  const rows = transitions.map((t) =>
    el("tr", {}, el("td", { text: shortTime(t.at) }), el("td", {}, status(t.from), " → ", status(t.to)),
      el("td", { text: t.cause }), el("td", { text: t.forced_by || "" })));
  for (const n of next) {
    rows.push(el("tr", { class: "next" }, el("td", { text: `due ${shortTime(n.due)}` }),
      el("td", {}, status(n.action.from), " → ", status(n.action.to)), el("td", { text: "scheduled" }), el("td", {})));
  }
  return el("div", { class: "split" },
    el("div", {}, el("h3", { text: "Transitions" }), table(["at", "change", "cause", "fault rule"], rows, "No status changes logged.")),
    el("div", {}, el("h3", { text: "Object" }), pre(o)));
}

// ---- the request journal -----------------------------------------------------------------------

async function requests(ctx) {
  const { state, api } = ctx;
  // The journal answers pages of at most 1000 entries (default 100).
  const asked = Number($("#request-limit").value);
  const limit = asked > 0 ? Math.min(asked, 1000) : 100;
  const params = {
    provider: state.provider, tenant: state.tenant,
    method: $("#request-method").value, path: $("#request-path").value.trim(), limit,
  };
  const journal = await api(`/__admin/requests${query(params)}`);
  const open = state.open.requests;
  draw("requests", [journal, open], () => {
    const list = [...(journal.requests || [])].reverse();
    const rows = list.flatMap((r) => {
      const row = el("tr", {
        class: r.id === open ? "row open" : "row", "data-request": r.id, onclick: () => ctx.reopen("requests", r.id),
      },
      el("td", { text: String(r.id) }),
      el("td", { text: shortTime(r.at) }),
      el("td", { text: r.provider }),
      el("td", { class: "id", text: r.tenant || "—" }),
      el("td", { text: r.method }),
      el("td", { class: "path", text: r.path + (r.query ? `?${r.query}` : "") }),
      el("td", {}, httpStatus(r.status)),
      el("td", { text: r.fault ? faultName(r.fault) : "" }));
      if (r.id !== open) return [row];
      return [row, el("tr", { class: "detail" }, el("td", { colspan: 8 }, requestDetail(r)))];
    });
    fill($("#requests"),
      el("p", { class: "muted", text: `${list.length} shown, newest first, of ${journal.total} matching` }),
      table(["#", "at", "provider", "tenant", "method", "path", "status", "fault"], rows, "No requests match."));
  });
}

function faultName(fault) {
  if (typeof fault === "string") return fault;
  return fault.rule || fault.id || fault.kind || JSON.stringify(fault);
}

function requestDetail(r) {
  return el("div", { class: "split" },
    el("div", {},
      el("h3", { class: "line", text: `${r.method} ${r.path}${r.query ? `?${r.query}` : ""}` }),
      el("p", { class: "muted", text: `${r.at} · ${r.provider} · ${r.tenant || "no tenant"}` }),
      headers(r.headers),
      el("h3", { text: "Request body" }), pre(r.body ?? "(empty)")),
    el("div", {},
      el("h3", {}, "Response ", httpStatus(r.status)),
      pre(r.response_body ?? "(empty)"),
      r.fault ? [el("h3", { text: "Fault" }), pre(r.fault)] : null));
}

// ---- webhook deliveries ------------------------------------------------------------------------

async function webhooks(ctx) {
  const { state, api } = ctx;
  const scope = query({ provider: state.provider, tenant: state.tenant });
  const [targets, deliveries] = await Promise.all([
    api(`/__admin/webhooks${scope}`),
    api(`/__admin/webhooks/deliveries${scope}`),
  ]);
  const open = state.open.webhooks;
  draw("webhooks", [targets, deliveries, open], () => {
    const messages = new Map();
    for (const d of deliveries.deliveries || []) {
      if (!messages.has(d.message)) messages.set(d.message, []);
      messages.get(d.message).push(d);
    }
    const rows = [...messages.entries()].reverse().flatMap(([message, attempts]) => {
      const first = attempts[0];
      const last = attempts[attempts.length - 1];
      const row = el("tr", {
        class: message === open ? "row open" : "row", "data-message": message, "data-event": first.event,
        onclick: () => ctx.reopen("webhooks", message),
      },
      el("td", { text: String(message) }),
      el("td", { text: shortTime(first.at) }),
      el("td", { class: "event", text: first.event }),
      el("td", { class: "id", text: first.tenant }),
      el("td", { class: "path", text: first.url }),
      el("td", { class: "attempts" }, attempts.map((a) =>
        el("span", { class: "attempt", title: `attempt ${a.attempt} at ${a.at}${a.error ? `: ${a.error}` : ""}` },
          `#${a.attempt} `, httpStatus(a.status, a.error)))),
      el("td", {}, httpStatus(last.status, last.error)));
      if (message !== open) return [row];
      return [row, el("tr", { class: "detail" }, el("td", { colspan: 7 }, deliveryDetail(attempts)))];
    });
    const targetRows = (targets.webhooks || []).map((t) =>
      el("tr", {}, el("td", { class: "id", text: t.id }), el("td", { class: "id", text: t.tenant }),
        el("td", { class: "path", text: t.url }), el("td", { text: t.events?.length ? t.events.join(", ") : "every event" })));
    fill($("#webhooks"),
      el("h3", { text: "Deliveries, newest first" }),
      table(["message", "first sent", "event", "tenant", "url", "attempts", "last"], rows, "No webhook deliveries yet."),
      el("h3", { text: "Targets" }),
      table(["id", "tenant", "url", "events"], targetRows, "No webhook targets."));
  });
}

function deliveryDetail(attempts) {
  return el("div", {}, attempts.map((a) =>
    el("div", { class: "split" },
      el("div", {},
        el("h3", {}, `Attempt ${a.attempt} `, httpStatus(a.status, a.error)),
        el("p", { class: "muted", text: `${a.at} → ${a.url}` }),
        a.error ? el("p", { class: "error", text: a.error }) : null,
        a.fault ? el("p", { text: `fault rule: ${a.fault}` }) : null,
        headers(a.headers)),
      el("div", {}, el("h3", { text: "Body" }), pre(a.body)))));
}

// ---- fault rules -------------------------------------------------------------------------------

const RULE_PARTS = ["id", "match", "fault", "hits", "matches", "loaded_at"];

async function faults(ctx) {
  const { api } = ctx;
  let list;
  try {
    list = await api("/__admin/faults");
  } catch (e) {
    if (e.status !== 404) throw e;
    draw("faults", "none", () => fill($("#faults"), el("p", { class: "hint", text: "This simulator serves no fault rules." })));
    return;
  }
  draw("faults", list, () => {
    const rows = (list.rules || []).map((r) => {
      const often = Object.fromEntries(Object.entries(r).filter(([k]) => !RULE_PARTS.includes(k)));
      return el("tr", { "data-rule": r.id },
        el("td", { class: "id", text: r.id }),
        el("td", {}, el("code", { text: JSON.stringify(r.match) })),
        el("td", {}, el("code", { text: JSON.stringify(r.fault) })),
        el("td", {}, Object.keys(often).length ? el("code", { text: JSON.stringify(often) }) : "always"),
        el("td", { class: "hits", text: String(r.hits) }),
        el("td", { class: "matches", text: String(r.matches) }),
        el("td", { text: shortTime(r.loaded_at) }),
        el("td", {}, el("button", { type: "button", class: "remove", onclick: () => removeRules(ctx, r.id) }, "Remove")));
    });
    fill($("#faults"),
      table(["id", "match", "fault", "how often", "hits", "matches", "loaded", ""], rows, "No fault rules: every provider behaves."));
  });
}

function faultMessage(text, isError) {
  const node = $("#fault-message");
  node.textContent = text;
  node.className = isError ? "error" : "muted";
}

async function removeRules(ctx, id) {
  try {
    await ctx.api(id ? `/__admin/faults/${enc(id)}` : "/__admin/faults", { method: "DELETE" });
    faultMessage(id ? `removed ${id}` : "removed every rule", false);
  } catch (e) {
    faultMessage(e.message, true);
  }
  await ctx.refresh();
}

async function addRules(ctx) {
  const text = $("#fault-rule").value;
  const json = /^\s*[[{]/.test(text);
  try {
    const added = await ctx.api("/__admin/faults", { method: "POST", body: text, type: json ? "application/json" : "application/yaml" });
    const ids = (added.rules || [added]).map((r) => r.id).join(", ");
    faultMessage(`added ${ids}`, false);
    $("#fault-rule").value = "";
  } catch (e) {
    faultMessage(e.message, true);
  }
  await ctx.refresh();
}

/** Wires the forms that act rather than filter; `ctx` is the frame's. */
export function wire(ctx) {
  $("#fault-form").addEventListener("submit", (e) => {
    e.preventDefault();
    addRules(ctx);
  });
  $("#fault-clear").addEventListener("click", () => removeRules(ctx, null));
  $("#object-kind").addEventListener("change", () => ctx.refresh());
  for (const input of ["#request-method", "#request-path", "#request-limit"]) {
    $(input).addEventListener("input", () => {
      ctx.state.open.requests = null;
      ctx.refresh();
    });
  }
  $("#request-filters").addEventListener("submit", (e) => e.preventDefault());
}

export const TABS = { objects, requests, webhooks, faults };
