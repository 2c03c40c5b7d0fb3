// Building and formatting the page's elements. Everything shown comes from the admin API, and the
// journal holds whatever clients sent: text is always set as text, never parsed as HTML.

/** `el("td", {class: "id", title: t}, child, …)`: an element with attributes and children. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name.startsWith("data-")) node.setAttribute(name, String(value));
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const $ = (selector) => document.querySelector(selector);

/** Replaces `node`'s children with `children`, leaving out the absent ones as `el` does. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** A table: `head` names the columns, `rows` are `<tr>`s. */
export function table(head, rows, empty) {
  if (rows.length === 0) return el("p", { class: "hint", text: empty });
  return el("table", {},
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { text: h })))),
    el("tbody", {}, rows));
}

/** A value as indented JSON in a `<pre>`, strings as they are. */
export function pre(value) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return el("pre", { text: text === undefined ? "" : text });
}

/** A headers map as a two-column table. */
export function headers(map) {
  const rows = Object.entries(map || {}).map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { text: v })));
  return rows.length ? el("table", { class: "kv" }, el("tbody", {}, rows)) : el("p", { class: "hint", text: "no headers" });
}

/** `2026-01-05T14:31:00.000000Z` → `01-05 14:31:00`. */
export function shortTime(rfc3339) {
  const m = /^\d{4}-(\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(rfc3339 || "");
  return m ? `${m[1]} ${m[2]}` : rfc3339 || "";
}

/** `2026-01-05T14:31:00.000000Z` → `2026-01-05 14:31:00 UTC`. */
export function fullTime(rfc3339) {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(rfc3339 || "");
  return m ? `${m[1]} ${m[2]} UTC` : rfc3339 || "";
}

// The engine knows no provider: a status is toned by its name alone, and numeric ones stay neutral.
const GOOD = /^(processed|paid|completed|complete|succeeded|success|settled|active|approved|done|delivered)$/i;
const BAD = /(fail|reject|return|cancel|error|denied|declin|expired|refund)/i;

/** A status as a coloured chip. */
export function status(name) {
  if (name === null || name === undefined || name === "") return el("span", { class: "muted", text: "—" });
  const s = String(name);
  const tone = GOOD.test(s) ? "good" : BAD.test(s) ? "bad" : "neutral";
  return el("span", { class: `chip ${tone}`, text: s });
}

/** An HTTP status (or a delivery error) as a chip. */
export function httpStatus(code, error) {
  if (error) return el("span", { class: "chip bad", title: error, text: "error" });
  if (code === null || code === undefined) return el("span", { class: "muted", text: "—" });
  return el("span", { class: `chip ${code < 400 ? "good" : "bad"}`, text: String(code) });
}

/** `?a=1&b=2` from the params that have a value. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

const drawn = new Map();

/**
 * Redraws `section` only when what it shows changed, so a live page keeps its text selection
 * and scroll position between polls.
 */
export function draw(section, shown, render) {
  const signature = JSON.stringify(shown);
  if (drawn.get(section) === signature) return;
  drawn.set(section, signature);
  render();
}

