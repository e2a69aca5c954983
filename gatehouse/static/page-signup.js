// The signup page (its HTML: gatehouse/portal_pages/signup.html).
"use strict";

pages["signup"] = function () {
  onSubmit("signup-form", async (form) => {
    const result = await call("POST", "/auth/register", values(form));
    if (!result.ok) return showErrors(form, result);
    form.hidden = true;
    document.getElementById("signup-done").hidden = false;
  });
};
