// The reset-password page (its HTML: gatehouse/portal_pages/reset-password.html).
"use strict";

pages["reset-password"] = function () {
  onSubmit("reset-form", async (form) => {
    const body = { ...values(form), token: new URLSearchParams(location.search).get("token") || "" };
    const result = await call("POST", "/auth/reset-password", body);
    if (!result.ok) return showErrors(form, result);
    form.hidden = true;
    document.getElementById("reset-done").hidden = false;
  });
};
