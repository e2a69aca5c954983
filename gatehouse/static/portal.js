// The developer portal: every action is a call to the public v1 API with the
// signed-in person's access token. The token lives in sessionStorage (this tab
// only); no cookie is involved, so there is nothing for a forged form to ride on.
"use strict";

const API = "/api/v1";
const TOKEN = "gatehouse.accessToken";

function token() { return sessionStorage.getItem(TOKEN); }

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = "Bearer " + token();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && token() && !path.startsWith("/auth/login")) {
    sessionStorage.removeItem(TOKEN);
    location.assign("/portal/login");
  }
  return { ok: response.ok, status: response.status, payload };
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function flash(text) { document.getElementById("flash").textContent = text; }

// The API's own validation details, each next to its field (`body.password`, `query.since` or `password`).
function showErrors(form, result) {
  form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll("input[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
  const error = (result.payload && result.payload.error) || {};
  const unplaced = [];
  for (const [path, message] of Object.entries(error.details || {})) {
    const name = path.replace(/^(body|query)\./, "").split(".")[0];
    const slot = document.getElementById(name + "-error") || form.querySelector(`[name="${name}"] ~ .field-error`);
    const input = form.querySelector(`[name="${name}"]`);
    if (slot) { slot.textContent = message; if (input) input.setAttribute("aria-invalid", "true"); }
    else unplaced.push(`${path}: ${message}`);
  }
  const summary = error.message ? `${error.message} (request ${error.requestId})` : `Request failed (${result.status})`;
  form.querySelector(".form-error").textContent = [summary, ...unplaced].join(" ");
  const invalid = form.querySelector("[aria-invalid]");
  if (invalid) invalid.focus();
}

// What showErrors marked, cleared once a submission is accepted.
function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-error").forEach((p) => { p.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((field) => field.removeAttribute("aria-invalid"));
}

// Copies `text`, saying so in #copy-status; where the browser refuses the clipboard,
// `node` (a field, or any element) is left selected for Ctrl+C.
async function copy(text, node, done = "Copied.") {
  const status = document.getElementById("copy-status");
  if (node.select) node.select(); else getSelection().selectAllChildren(node);
  try { await navigator.clipboard.writeText(text); status.textContent = done; }
  catch { status.textContent = "Selected: press Ctrl+C (⌘C) to copy."; }
}

function values(form) {
  const data = {};
  for (const input of form.querySelectorAll("input[name], select[name]")) {
    if (input.type === "checkbox" || input.value === "") continue;
    data[input.name] = input.type === "number" ? Number(input.value) : input.value;
  }
  return data;
}

function onSubmit(id, handler) {
  const form = document.getElementById(id);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try { await handler(form); } finally { button.disabled = false; }
  });
}

function when(iso) { return iso ? new Date(iso).toLocaleString() : "never"; }

// Each page's script (page-<name>.js, loaded after this one) adds its entry.
const pages = {};

function button(text, label, onClick) {
  const node = el("button", { type: "button", "aria-label": label }, text);
  node.addEventListener("click", onClick);
  return node;
}

function chart(id, days, field, title) {
  const NS = "http://www.w3.org/2000/svg";
  const width = 600, height = 160, max = Math.max(1, ...days.map((d) => d[field]));
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 20}`);
  svg.setAttribute("role", "img");
  const total = days.reduce((sum, d) => sum + d[field], 0);
  svg.setAttribute("aria-label", `${title}: ${total} over ${days.length} days`);
  const step = width / Math.max(1, days.length);
  days.forEach((day, i) => {
    const bar = document.createElementNS(NS, "rect");
    const h = (day[field] / max) * height;
    bar.setAttribute("x", String(i * step + 1));
    bar.setAttribute("y", String(height - h));
    bar.setAttribute("width", String(Math.max(1, step - 2)));
    bar.setAttribute("height", String(h));
    bar.setAttribute("class", "bar");
    bar.setAttribute("data-date", day.date);
    bar.setAttribute("data-value", String(day[field]));
    const tip = document.createElementNS(NS, "title");
    tip.textContent = `${day.date}: ${day[field]}`;
    bar.append(tip);
    svg.append(bar);
  });
  document.getElementById(id).replaceChildren(svg);
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.body.dataset.page;
  if (document.body.dataset.signedIn === "true" && !token()) return location.assign("/portal/login");
  const logout = document.getElementById("logout");
  if (logout) logout.addEventListener("click", async () => {
    await call("POST", "/auth/logout");
    sessionStorage.removeItem(TOKEN);
    location.assign("/portal/login");
  });
  // A button with data-copy="<field id>" copies that field (a new key, a secret).
  document.querySelectorAll("[data-copy]").forEach((button) => button.addEventListener("click", () => {
    const field = document.getElementById(button.dataset.copy);
    return copy(field.value, field);
  }));
  Promise.resolve(pages[page]()).then(() => document.body.setAttribute("data-ready", "true"));
});
