// Starts Redoc on the page's container, with the spec URL the page names.
// System fonts only: nothing may be fetched from another origin (the page's CSP forbids it).
(function () {
  var container = document.getElementById("redoc");
  var sans = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  Redoc.init(
    container.getAttribute("data-spec-url"),
    {
      expandResponses: "200,201",
      jsonSampleExpandLevel: 3,
      theme: {
        typography: {
          fontFamily: sans,
          headings: { fontFamily: sans },
          code: { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
        },
      },
    },
    container
  );
})();
