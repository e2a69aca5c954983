// The login page (its HTML: gatehouse/portal_pages/login.html).
"use strict";

pages["login"] = function () {
  onSubmit("login-form", async (form) => {
    const result = await call("POST", "/auth/login", values(form));
    if (!result.ok) return showErrors(form, result);
    sessionStorage.setItem(TOKEN, result.payload.access_token);
    location.assign("/portal/keys");
  });
};
