// The verify-email page (its HTML: gatehouse/portal_pages/verify-email.html).
"use strict";

pages["verify-email"] = async function () {
  const status = document.getElementById("verify-status");
  const value = new URLSearchParams(location.search).get("token");
  const result = value ? await call("POST", "/auth/verify-email", { token: value }) : { ok: false, payload: null };
  status.textContent = result.ok
    ? "Your address is verified. You can sign in now."
    : "This link is not valid (it may have been used already). " + ((result.payload && result.payload.error && result.payload.error.message) || "");
};
