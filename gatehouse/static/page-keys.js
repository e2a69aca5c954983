// The keys page (its HTML: gatehouse/portal_pages/keys.html).
"use strict";

pages["keys"] = async function () {
  const me = await call("GET", "/auth/me");
  const person = (me.payload && me.payload.data) || { scopes: [], allowedTiers: ["free"], organizationPlan: "free" };
  // The tiers the organization's plan allows; the API refuses any other (422).
  document.getElementById("tier").replaceChildren(...person.allowedTiers.map((tier) => el("option", { value: tier }, tier)));
  document.getElementById("tier-hint").textContent = `Your organization's ${person.organizationPlan} plan allows: ${person.allowedTiers.join(", ")}.`;
  const scopes = document.getElementById("scopes");
  for (const scope of person.scopes) {
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
    clearErrors(form);
    showNewKey(result.payload.data);
    await listKeys();
  });
  await listKeys();
};

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
