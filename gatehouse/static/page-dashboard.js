// The dashboard page (its HTML: gatehouse/portal_pages/dashboard.html): requests, errors
// and rate-limit rejections per day, the quota left, and the recent errors with their
// request ids, for the whole organization or one key.
"use strict";

pages["dashboard"] = async function () {
  const filter = document.getElementById("key-filter");
  const keys = await call("GET", "/api-keys?perPage=100");
  for (const key of (keys.payload && keys.payload.data) || []) {
    filter.append(el("option", { value: key.id }, `${key.name} (${key.prefix}…)`));
  }
  filter.addEventListener("change", () => showUsage(filter.value));
  await showUsage("");
};

async function showUsage(keyId) {
  document.body.removeAttribute("data-ready");
  const query = keyId ? `keyId=${encodeURIComponent(keyId)}` : "";
  const [summary, errors] = await Promise.all([
    call("GET", "/usage/summary" + (query ? "?" + query : "")),
    call("GET", "/usage/requests?outcome=error&perPage=20" + (query ? "&" + query : "")),
    showQuotas(keyId),
  ]);
  const data = (summary.payload && summary.payload.data) || { days: [], totals: {} };
  chart("requests-chart", data.days, "requests", "Requests per day");
  chart("errors-chart", data.days, "errors", "Errors per day");
  chart("rejections-chart", data.days, "rateLimited", "Rate-limit rejections per day");
  const totals = data.totals;
  document.getElementById("totals").textContent =
    `${totals.requests ?? 0} requests, ${totals.errors ?? 0} errors, ${totals.rateLimited ?? 0} rate-limit rejections in the last 30 days.`;
  showDays(data.days);
  showRecentErrors((errors.ok && errors.payload.data) || []);
  document.body.setAttribute("data-ready", "true");
}

// The text equivalent of the three charts.
function showDays(days) {
  const body = document.querySelector("#days-table tbody");
  body.replaceChildren();
  for (const day of [...days].reverse()) {
    body.append(el("tr", { "data-date": day.date },
      el("th", { scope: "row" }, day.date), el("td", {}, String(day.requests)),
      el("td", {}, String(day.errors)), el("td", {}, String(day.rateLimited))));
  }
}

// The selected key's windows, or the signed-in person's own when no key is selected.
async function showQuotas(keyId) {
  const quotas = await call("GET", "/usage/quotas" + (keyId ? `?keyId=${encodeURIComponent(keyId)}` : ""));
  const list = document.getElementById("quotas");
  list.replaceChildren();
  const data = quotas.payload && quotas.payload.data;
  document.getElementById("quota-owner").textContent = !data ? "The quota could not be read."
    : keyId ? `The windows of the selected key (${data.tier} tier${data.rateLimit ? `, own limit ${data.rateLimit} per hour` : ""}).`
      : "Your own windows as the signed-in person; pick a key above for its windows.";
  for (const window of (data && data.windows) || []) {
    list.append(el("li", { "data-window": window.name },
      `${window.name} window (${window.windowSeconds} s): ${window.remaining} of ${window.limit} requests left`));
  }
}

function showRecentErrors(rows) {
  const body = document.querySelector("#errors-table tbody");
  body.replaceChildren();
  for (const row of rows) {
    const id = el("code", {}, row.requestId);
    const copying = button("Copy", `Copy request id ${row.requestId}`, () => copy(row.requestId, id, `Copied ${row.requestId}.`));
    body.append(el("tr", { "data-request-id": row.requestId },
      el("td", {}, when(row.occurredAt)), el("td", {}, `${row.method} ${row.operationId ?? "(no operation)"}`),
      el("td", {}, String(row.status)), el("td", { class: "request-id" }, id, copying)));
  }
  document.getElementById("errors-empty").hidden = rows.length > 0;
}
