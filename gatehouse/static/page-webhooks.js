// The webhooks page (its HTML: gatehouse/portal_pages/webhooks.html).
"use strict";

pages["webhooks"] = async function () {
  const events = document.getElementById("events");
  const filter = document.getElementById("filter-event");
  // The catalogue is the spec's EventType, as the API publishes it.
  const spec = await fetch(API + "/openapi.json").then((r) => r.json());
  for (const type of spec.components.schemas.EventType.enum) {
    const id = "event-" + type.replace(/[^a-z]/g, "-");
    events.append(el("div", { class: "check" }, el("input", { type: "checkbox", id, value: type }), el("label", { for: id }, type)));
    filter.append(el("option", { value: type }, type));
  }
  onSubmit("webhook-form", async (form) => {
    const body = values(form);
    body.events = [...events.querySelectorAll("input:checked")].map((box) => box.value);
    const result = await call("POST", "/webhooks", body);
    if (!result.ok) return showErrors(form, result);
    form.reset();
    clearErrors(form);
    showRegistered(result.payload.data);
    await listWebhooks();
  });
  onSubmit("delivery-filters", (form) => showDeliveries(shown.hook, form));
  onSubmit("recover-form", recoverFailed);
  await listWebhooks();
};

function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-error").forEach((p) => { p.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
}

// The endpoint whose delivery log is open.
const shown = { hook: null };

function showRegistered(hook) {
  const section = document.getElementById("registered");
  section.hidden = false;
  document.getElementById("registered-title").textContent = `Endpoint registered: ${hook.url}`;
  document.getElementById("registered-lead").textContent = "Gatehouse sent it a signed test event and it answered:";
  outcome("verification", "verification-sent", hook.verification);
  document.getElementById("new-secret").value = hook.secret;
  document.getElementById("copy-status").textContent = "";
  reveal("registered-title");
}

// Focus a section's heading (announced by screen readers) with the section at the top.
function reveal(headingId) {
  const heading = document.getElementById(headingId);
  heading.focus({ preventScroll: true });
  heading.scrollIntoView({ block: "start" });
}

// What a test event's answer says, as a list of facts, and the body sent.
function outcome(listId, sentId, result) {
  facts(listId, [
    ["Delivered", result.delivered ? "yes (2xx)" : "no"],
    ["Status code", result.statusCode ?? "no answer"],
    ["Latency", `${result.latencyMs} ms`],
    ["Error", result.error || "none"],
    ["Response body", result.responseBody || "(empty)"],
    ["Delivery", result.deliveryId],
  ]);
  document.getElementById(sentId).textContent = JSON.stringify(result.payload, null, 2);
}

// A table cell that names its column (a phone shows each row as a card).
function cell(label, text, className) {
  const attributes = { "data-label": label };
  if (className) attributes.class = className;
  return el("td", attributes, text);
}

function facts(listId, pairs) {
  const list = document.getElementById(listId);
  list.replaceChildren();
  for (const [name, value] of pairs) list.append(el("dt", {}, name), el("dd", {}, String(value)));
}

async function listWebhooks() {
  const result = await call("GET", "/webhooks?perPage=100");
  const body = document.querySelector("#webhooks-table tbody");
  body.replaceChildren();
  for (const hook of (result.payload && result.payload.data) || []) {
    const actions = el("td", { "data-label": "Actions" });
    const next = hook.status === "active" ? "pause" : "resume";
    actions.append(button(next === "pause" ? "Pause" : "Resume", `${next} ${hook.url}`, async () => {
      const changed = await call("POST", `/webhooks/${hook.id}/${next}`);
      flash(changed.ok ? `${hook.url} is ${changed.payload.data.status}.` : `Could not ${next}: ${changed.payload.error.message}`);
      await listWebhooks();
    }));
    actions.append(button("Send test", `Send test to ${hook.url}`, () => sendTest(hook)));
    actions.append(button("Deliveries", `Deliveries of ${hook.url}`, () => openDeliveries(hook)));
    actions.append(button("Rotate secret", `Rotate secret of ${hook.url}`, () => rotateSecret(hook)));
    const status = cell("Status", hook.status, "status");
    if (hook.disabledReason) status.append(el("br", {}), el("small", {}, hook.disabledReason));
    body.append(el("tr", { "data-webhook-id": hook.id }, cell("URL", hook.url), cell("Events", hook.events.join(", ")), status, actions));
  }
}

async function sendTest(hook) {
  const sent = await call("POST", `/webhooks/${hook.id}/test`);
  if (!sent.ok) return flash(`Could not send a test event: ${sent.payload.error.message}`);
  document.getElementById("test-result").hidden = false;
  document.getElementById("test-title").textContent = `Test event to ${hook.url}`;
  outcome("test-outcome", "test-sent", sent.payload.data);
  reveal("test-title");
  if (shown.hook && shown.hook.id === hook.id) await showDeliveries(hook);
}

async function rotateSecret(hook) {
  if (!confirm(`Rotate the signing secret of ${hook.url}? The old one keeps signing alongside the new one for the grace period.`)) return;
  const rotated = await call("POST", `/webhooks/${hook.id}/rotate-secret`);
  if (!rotated.ok) return flash(`Could not rotate: ${rotated.payload.error.message}`);
  const until = when(rotated.payload.data.previousSecretExpiresAt);
  document.getElementById("registered").hidden = false;
  document.getElementById("registered-title").textContent = `New signing secret for ${hook.url}`;
  document.getElementById("registered-lead").textContent = `Deliveries carry a signature with each secret until ${until}: switch your receiver to the new one before then.`;
  document.getElementById("verification").replaceChildren();
  document.getElementById("verification-sent").textContent = "";
  document.getElementById("new-secret").value = rotated.payload.data.secret;
  document.getElementById("copy-status").textContent = "";
  reveal("registered-title");
}

async function openDeliveries(hook) {
  shown.hook = hook;
  document.getElementById("deliveries").hidden = false;
  document.getElementById("delivery-detail").hidden = true;
  document.getElementById("recover-result").textContent = "";
  document.getElementById("delivery-filters").reset();
  const since = document.getElementById("recover-since");
  if (!since.value) since.value = localInput(new Date(Date.now() - 24 * 3600 * 1000));
  await showDeliveries(hook);
  reveal("deliveries-title");
}

// A datetime-local value (the browser's zone) as the API's RFC 3339 instant, and back.
function instant(local) { return local ? new Date(local).toISOString() : ""; }
function localInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function showDeliveries(hook) {
  const form = document.getElementById("delivery-filters");
  const query = new URLSearchParams({ perPage: "50" });
  for (const [name, value] of Object.entries(values(form))) query.set(name, name === "createdAfter" ? instant(value) : value);
  document.getElementById("deliveries-of").textContent = `(${hook.url})`;
  const result = await call("GET", `/webhooks/${hook.id}/deliveries?${query}`);
  if (!result.ok) return showErrors(form, result);
  clearErrors(form);
  const body = document.querySelector("#deliveries-table tbody");
  body.replaceChildren();
  for (const delivery of result.payload.data) {
    const actions = el("td", { "data-label": "Actions" });
    actions.append(button("Detail", `Detail of ${delivery.id}`, () => showDetail(hook, delivery.id)));
    actions.append(button("Redeliver", `Redeliver ${delivery.id}`, async () => {
      const again = await call("POST", `/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`);
      flash(again.ok ? `Redelivery of ${delivery.id} queued.` : `Could not redeliver: ${again.payload.error.message}`);
      await showDeliveries(hook);
    }));
    body.append(el("tr", { "data-delivery-id": delivery.id }, cell("Event", delivery.eventType), cell("Created", when(delivery.createdAt)),
      cell("Status", delivery.status, "status"), cell("Attempts", String(delivery.attemptCount)),
      cell("Last response", String(delivery.lastStatusCode ?? "none yet")), actions));
  }
  const total = result.payload.pagination.total;
  document.getElementById("deliveries-count").textContent = `${total} ${total === 1 ? "delivery" : "deliveries"}` + (total > 50 ? " (newest 50 shown)" : "");
}

async function showDetail(hook, deliveryId) {
  const detail = await call("GET", `/webhooks/${hook.id}/deliveries/${deliveryId}`);
  if (!detail.ok) return flash(`Could not read ${deliveryId}: ${detail.payload.error.message}`);
  const delivery = detail.payload.data;
  document.getElementById("delivery-detail").hidden = false;
  document.getElementById("detail-title").textContent = `Delivery ${delivery.id}`;
  facts("detail-facts", [
    ["Event", `${delivery.eventType} (${delivery.eventId}, the webhook-id header)`],
    ["Status", delivery.status],
    ["Attempts", delivery.attemptCount],
    ["Next attempt", delivery.nextAttemptAt ? when(delivery.nextAttemptAt) : "none"],
    ["Created", when(delivery.createdAt)],
  ]);
  document.getElementById("detail-body").textContent = JSON.stringify(delivery.payload, null, 2);
  const attempts = document.getElementById("detail-attempts");
  attempts.replaceChildren();
  if (!delivery.attempts.length) attempts.append(el("p", {}, "No attempt yet."));
  for (const attempt of delivery.attempts) attempts.append(attemptView(attempt));
  reveal("detail-title");
}

function attemptView(attempt) {
  const id = `attempt-${attempt.number}`;
  const headers = el("table", { class: "headers" }, el("caption", {}, "Request headers (signatures masked)"));
  for (const [name, value] of Object.entries(attempt.requestHeaders)) {
    headers.append(el("tr", {}, el("th", { scope: "row" }, name), el("td", {}, value)));
  }
  const list = el("dl", { class: "facts" });
  for (const [name, value] of [
    ["Response status", attempt.responseStatus ?? "no answer"],
    ["Latency", `${attempt.latencyMs} ms`],
    ["Error", attempt.error || "none"],
    ["Next retry", attempt.nextRetryAt ? when(attempt.nextRetryAt) : "none"],
  ]) list.append(el("dt", {}, name), el("dd", {}, String(value)));
  return el("article", { class: "attempt", id, "aria-labelledby": `${id}-title` },
    el("h4", { id: `${id}-title` }, `Attempt ${attempt.number}, ${when(attempt.attemptedAt)}`),
    list,
    el("div", { class: "table" }, headers),
    el("h5", {}, "Response body"),
    el("pre", { class: "response-body" }, attempt.responseBody || "(empty)"));
}

async function recoverFailed(form) {
  const local = form.querySelector("#recover-since").value;
  const query = local ? `?since=${encodeURIComponent(instant(local))}` : "";
  const result = await call("POST", `/webhooks/${shown.hook.id}/recover${query}`);
  if (!result.ok) return showErrors(form, result);
  clearErrors(form);
  const count = result.payload.data.requeued;
  document.getElementById("recover-result").textContent = `${count} failed ${count === 1 ? "delivery" : "deliveries"} requeued since ${when(result.payload.data.since)}.`;
  await showDeliveries(shown.hook);
}
