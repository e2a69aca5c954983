// The webhooks page (its HTML: gatehouse/portal_pages/webhooks.html).
"use strict";

pages["webhooks"] = async function () {
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
};

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
