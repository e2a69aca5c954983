// The forgot-password page (its HTML: gatehouse/portal_pages/forgot-password.html).
"use strict";

pages["forgot-password"] = function () {
  onSubmit("forgot-form", async (form) => {
    const result = await call("POST", "/auth/forgot-password", values(form));
    if (!result.ok) return showErrors(form, result);
    form.hidden = true;
    document.getElementById("forgot-done").hidden = false;
  });
};
