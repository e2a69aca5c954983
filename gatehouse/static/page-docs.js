// The docs page (its HTML: gatehouse/portal_pages/docs.html): links to what /docs
// serves, and whether this server has generated the SDKs to download.
"use strict";

pages["docs"] = async function () {
  const status = document.getElementById("downloads-status");
  const probe = await fetch("/docs/downloads/gatehouse.postman_collection.json", { headers: { Accept: "application/json" } });
  if (probe.ok) {
    status.textContent = "Generated from this server's v1 spec.";
    return;
  }
  const error = await probe.json().catch(() => null);
  status.textContent = (error && error.error && error.error.message) ||
    "The SDKs have not been generated on this server: `make sdk` builds them.";
  status.classList.add("warning");
  document.querySelectorAll("#download-links a[href$='.zip'], #download-links a[href$='collection.json']")
    .forEach((link) => link.setAttribute("aria-disabled", "true"));
};
