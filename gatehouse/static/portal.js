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

// The API's own validation details, each next to its field (`body.password` or `password`).
function showErrors(form, result) {
  form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll("input[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
  const error = (result.payload && result.payload.error) || {};
  const unplaced = [];
  for (const [path, message] of Object.entries(error.details || {})) {
    const name = path.replace(/^body\./, "").split(".")[0];
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

const pages = {
  signup() {
    onSubmit("signup-form", async (form) => {
      const result = await call("POST", "/auth/register", values(form));
      if (!result.ok) return showErrors(form, result);
      form.hidden = true;
      document.getElementById("signup-done").hidden = false;
    });
  },

  async "verify-email"() {
    const status = document.getElementById("verify-status");
    const value = new URLSearchParams(location.search).get("token");
    const result = value ? await call("POST", "/auth/verify-email", { token: value }) : { ok: false, payload: null };
    status.textContent = result.ok
      ? "Your address is verified. You can sign in now."
      : "This link is not valid (it may have been used already). " + ((result.payload && result.payload.error && result.payload.error.message) || "");
  },

  "forgot-password"() {
    onSubmit("forgot-form", async (form) => {
      const result = await call("POST", "/auth/forgot-password", values(form));
      if (!result.ok) return showErrors(form, result);
      form.hidden = true;
      document.getElementById("forgot-done").hidden = false;
    });
  },

  "reset-password"() {
    onSubmit("reset-form", async (form) => {
      const body = { ...values(form), token: new URLSearchParams(location.search).get("token") || "" };
      const result = await call("POST", "/auth/reset-password", body);
      if (!result.ok) return showErrors(form, result);
      form.hidden = true;
      document.getElementById("reset-done").hidden = false;
    });
  },

  login() {
    onSubmit("login-form", async (form) => {
      const result = await call("POST", "/auth/login", values(form));
      if (!result.ok) return showErrors(form, result);
      sessionStorage.setItem(TOKEN, result.payload.access_token);
      location.assign("/portal/keys");
    });
  },

  async keys() {
    const me = await call("GET", "/auth/me");
    const scopes = document.getElementById("scopes");
    for (const scope of (me.payload && me.payload.data && me.payload.data.scopes) || []) {
      const id = "scope-" + scope.replace(/[^a-z]/g, "-");
      scopes.append(el("div", { class: "check" }, el("input", { type: "checkbox", id, value: scope }), el("label", { for: id }, scope)));
    }
    onSubmit("key-form", async (form) => {
      const body = values(form);
      const picked = [...scopes.querySelectorAll("input:checked")].map((box) => box.value);
      if (picked.length) body.scopes = picked;
      const result = await call("POST", "/api-keys", body);
      if (!result.ok) return showErrors(form, result);
      form.reset();
      form.querySelector(".form-error").textContent = "";
      showNewKey(result.payload.data);
      await listKeys();
    });
    document.querySelectorAll("[data-copy]").forEach((button) => button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      field.select();
      try { await navigator.clipboard.writeText(field.value); document.getElementById("copy-status").textContent = "Copied."; }
      catch { document.getElementById("copy-status").textContent = "Selected: press Ctrl+C (⌘C) to copy."; }
    }));
    await listKeys();
  },

  async dashboard() {
    const filter = document.getElementById("key-filter");
    const keys = await call("GET", "/api-keys?perPage=100");
    for (const key of (keys.payload && keys.payload.data) || []) {
      filter.append(el("option", { value: key.id }, `${key.name} (${key.prefix}…)`));
    }
    filter.addEventListener("change", () => showUsage(filter.value));
    const quotas = await call("GET", "/usage/quotas");
    const list = document.getElementById("quotas");
    for (const window of (quotas.payload && quotas.payload.data && quotas.payload.data.windows) || []) {
      list.append(el("li", {}, `${window.name} window (${window.windowSeconds} s): ${window.remaining} of ${window.limit} requests left`));
    }
    await showUsage("");
  },

  async webhooks() {
    const events = document.getElementById("events");
    // The catalogue is the spec's EventType, as the API publishes it.
    const spec = await fetch(API + "/openapi.json").then((r) => r.json());
    for (const type of spec.components.schemas.EventType.enum) {
      const id = "event-" + type.replace(/[^a-z]/g, "-");
      events.append(el("div", { class: "check" }, el("input", { type: "checkbox", id, value: type }), el("label", { for: id }, type)));
    }
    onSubmit("webhook-form", async (form) => {
      const body = values(form);
      body.events = [...events.querySelectorAll("input:checked")].map((box) => box.value);
      const result = await call("POST", "/webhooks", body);
      if (!result.ok) return showErrors(form, result);
      form.reset();
      form.querySelector(".form-error").textContent = "";
      flash("Endpoint registered; a test event was sent to it.");
      await listWebhooks();
    });
    await listWebhooks();
  },
};

// The charts and recent errors of every credential, or of one (`keyId`).
async function showUsage(keyId) {
  document.body.removeAttribute("data-ready");
  const query = keyId ? `?keyId=${encodeURIComponent(keyId)}` : "";
  const [summary, errors] = await Promise.all([call("GET", "/usage/summary" + query), call("GET", "/usage/errors" + query)]);
  const data = (summary.payload && summary.payload.data) || { days: [], totals: {} };
  chart("requests-chart", data.days, "requests", "Requests per day");
  chart("errors-chart", data.days, "errors", "Errors per day");
  document.getElementById("totals").textContent = `${data.totals.requests ?? 0} requests, ${data.totals.errors ?? 0} errors in the last 30 days.`;
  const body = document.querySelector("#errors-table tbody");
  body.replaceChildren();
  for (const row of (errors.payload && errors.payload.data.byEndpoint) || []) {
    body.append(el("tr", {}, el("td", {}, when(row.lastSeenAt)), el("td", {}, `${row.method} ${row.operationId}`), el("td", {}, String(row.status)), el("td", {}, String(row.count))));
  }
  document.body.setAttribute("data-ready", "true");
}

function showNewKey(key) {
  document.getElementById("new-key").hidden = false;
  document.getElementById("new-key-value").value = key.key;
  document.getElementById("new-key-secret").value = key.secret;
  document.getElementById("new-key-value").focus();
}

async function listKeys() {
  const keys = await call("GET", "/api-keys?perPage=100");
  const perKey = {};
  await Promise.all(((keys.payload && keys.payload.data) || []).map(async (key) => {
    const usage = await call("GET", `/api-keys/${key.id}/usage`);
    perKey[key.id] = usage.ok ? usage.payload.data.totals.requests : "–";
  }));
  const body = document.querySelector("#keys-table tbody");
  body.replaceChildren();
  for (const key of (keys.payload && keys.payload.data) || []) {
    const actions = el("td", {});
    if (key.status === "active") {
      actions.append(button("Revoke", `Revoke ${key.name}`, async () => {
        if (!confirm(`Revoke the key "${key.name}"? Calls made with it will fail at once.`)) return;
        const result = await call("DELETE", `/api-keys/${key.id}`);
        flash(result.ok ? `Revoked ${key.name}.` : `Could not revoke: ${result.payload.error.message}`);
        await listKeys();
      }));
      actions.append(button("Regenerate", `Regenerate ${key.name}`, async () => {
        if (!confirm(`Regenerate "${key.name}"? The current key stops working at once.`)) return;
        const result = await call("POST", `/api-keys/${key.id}/regenerate`);
        if (result.ok) showNewKey(result.payload.data); else flash(`Could not regenerate: ${result.payload.error.message}`);
        await listKeys();
      }));
    }
    body.append(el("tr", { "data-key-id": key.id },
      el("td", {}, key.name), el("td", {}, el("code", {}, key.prefix)), el("td", {}, key.mode), el("td", {}, key.tier),
      el("td", { class: "status" }, key.status), el("td", {}, when(key.lastUsedAt)), el("td", { class: "usage" }, String(perKey[key.id] ?? 0)), actions));
  }
}

function button(text, label, onClick) {
  const node = el("button", { type: "button", "aria-label": label }, text);
  node.addEventListener("click", onClick);
  return node;
}

async function listWebhooks() {
  const result = await call("GET", "/webhooks");
  const body = document.querySelector("#webhooks-table tbody");
  body.replaceChildren();
  for (const hook of (result.payload && result.payload.data) || []) {
    const actions = el("td", {});
    const next = hook.status === "paused" ? "resume" : "pause";
    actions.append(button(next === "pause" ? "Pause" : "Resume", `${next} ${hook.url}`, async () => {
      await call("POST", `/webhooks/${hook.id}/${next}`);
      await listWebhooks();
    }));
    actions.append(button("Send test", `Send a test event to ${hook.url}`, async () => {
      const sent = await call("POST", `/webhooks/${hook.id}/test`);
      const pre = document.getElementById("delivery-detail");
      document.getElementById("deliveries").hidden = false;
      pre.textContent = JSON.stringify(sent.payload && (sent.payload.data || sent.payload.error), null, 2);
    }));
    actions.append(button("Deliveries", `Deliveries of ${hook.url}`, () => showDeliveries(hook)));
    body.append(el("tr", { "data-webhook-id": hook.id }, el("td", {}, hook.url), el("td", {}, hook.events.join(", ")), el("td", { class: "status" }, hook.status), actions));
  }
}

async function showDeliveries(hook) {
  document.getElementById("deliveries").hidden = false;
  document.getElementById("deliveries-of").textContent = `(${hook.url})`;
  const result = await call("GET", `/webhooks/${hook.id}/deliveries`);
  const body = document.querySelector("#deliveries-table tbody");
  body.replaceChildren();
  for (const delivery of (result.payload && result.payload.data) || []) {
    const actions = el("td", {});
    actions.append(button("Detail", `Detail of ${delivery.id}`, async () => {
      const detail = await call("GET", `/webhooks/${hook.id}/deliveries/${delivery.id}`);
      const pre = document.getElementById("delivery-detail");
      pre.textContent = JSON.stringify(detail.payload && detail.payload.data, null, 2);
      pre.focus();
    }));
    actions.append(button("Redeliver", `Redeliver ${delivery.id}`, async () => {
      const again = await call("POST", `/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`);
      flash(again.ok ? "Redelivery queued." : `Could not redeliver: ${again.payload.error.message}`);
      await showDeliveries(hook);
    }));
    body.append(el("tr", { "data-delivery-id": delivery.id }, el("td", {}, delivery.eventType),
      el("td", { class: "status" }, delivery.status), el("td", {}, String(delivery.attemptCount)),
      el("td", {}, String(delivery.lastStatusCode ?? "none yet")), actions));
  }
}

// A bar per day, drawn as SVG elements (no inline style: the CSP forbids it).
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
  const signedIn = ["keys", "dashboard", "webhooks"].includes(page);
  if (signedIn && !token()) return location.assign("/portal/login");
  const logout = document.getElementById("logout");
  if (logout) logout.addEventListener("click", async () => {
    await call("POST", "/auth/logout");
    sessionStorage.removeItem(TOKEN);
    location.assign("/portal/login");
  });
  Promise.resolve(pages[page]()).then(() => document.body.setAttribute("data-ready", "true"));
});
