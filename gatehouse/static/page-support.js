// The support page (its HTML: gatehouse/portal_pages/support.html): a message to
// the support desk (POST /support/requests) and the organization's earlier ones.
"use strict";

pages["support"] = async function () {
  onSubmit("support-form", async (form) => {
    const body = values(form);  // inputs and selects; the message is a textarea
    const message = form.querySelector("#message");
    if (message.value !== "") body.message = message.value;
    message.removeAttribute("aria-invalid");
    const result = await call("POST", "/support/requests", body);
    if (!result.ok) return showErrors(form, result);
    form.reset();
    clearErrors(form);
    await listRequests();
    flash(`Sent: request ${result.payload.data.id}. A copy is on its way to your mailbox.`);
  });
  await listRequests();
};

async function listRequests() {
  const result = await call("GET", "/support/requests?perPage=50");
  const body = document.querySelector("#support-table tbody");
  body.replaceChildren();
  if (!result.ok) return flash(`Could not list the requests: ${result.payload.error.message}`);
  const requests = result.payload.data;
  document.getElementById("support-empty").hidden = requests.length > 0;
  for (const request of requests) {
    body.append(el("tr", { "data-support-id": request.id },
      el("td", {}, when(request.createdAt)), el("td", {}, el("code", {}, request.id)),
      el("td", {}, request.category), el("td", {}, request.subject),
      el("td", {}, request.sender.email || `${request.sender.type} ${request.sender.id}`),
      el("td", {}, request.requestId ? el("code", {}, request.requestId) : "–")));
  }
}
