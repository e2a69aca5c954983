// Signed API-key requests for the generated client: the one hand-written module of the package.
//
//   const config = new Configuration({ basePath, middleware: [signedApiKey(key, secret)] });
//   await new ProductsApi(config).listProducts({ perPage: 10 });
//
// Every request carries X-API-Key, X-Timestamp and X-API-Signature =
// "sha256=" + hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path?query}.{raw body}").
import { createHmac } from "node:crypto";
import type { Middleware, RequestContext, FetchParams } from "./runtime";

export function signature(secret: string, timestamp: string, method: string, target: string, body: string): string {
  const payload = `${timestamp}.${method.toUpperCase()}.${target}.${body}`;
  return "sha256=" + createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

export function signedApiKey(apiKey: string, apiSecret: string, clock: () => number = Date.now): Middleware {
  return {
    async pre(context: RequestContext): Promise<FetchParams> {
      const body = context.init.body;
      if (body !== undefined && body !== null && typeof body !== "string") {
        // Only text bodies (JSON) can be signed byte for byte here.
        throw new Error("signedApiKey: cannot sign a non-text body");
      }
      const url = new URL(context.url);
      const timestamp = String(Math.floor(clock() / 1000));
      const headers = new Headers(context.init.headers as HeadersInit);
      headers.set("X-API-Key", apiKey);
      headers.set("X-Timestamp", timestamp);
      headers.set(
        "X-API-Signature",
        signature(apiSecret, timestamp, context.init.method ?? "GET", url.pathname + url.search, body ?? ""),
      );
      return { url: context.url, init: { ...context.init, headers } };
    },
  };
}
