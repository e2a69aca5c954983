// The dashboard page (its HTML: gatehouse/portal_pages/dashboard.html).
"use strict";

pages["dashboard"] = async function () {
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
};

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
