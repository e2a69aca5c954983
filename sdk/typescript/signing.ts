// Signed API-key requests for the generated client: the one hand-written module of the package.
//
//   const config = new Configuration({ basePath, middleware: [signedApiKey(key, secret)] });
//   await new ProductsApi(config).listProducts({ perPage: 10 });
//
// Every request carries X-API-Key, X-Timestamp and X-API-Signature =
// "sha256=" + hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path?query}.{raw body}").
// Web Crypto (globalThis.crypto) is in Node 18+ and every browser, so the helper needs nothing else.
import type { Middleware, RequestContext, FetchParams } from "./runtime";

export async function signature(secret: string, timestamp: string, method: string, target: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${method.toUpperCase()}.${target}.${body}`));
  return "sha256=" + Array.from(new Uint8Array(mac), (byte) => byte.toString(16).padStart(2, "0")).join("");
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
        await signature(apiSecret, timestamp, context.init.method ?? "GET", url.pathname + url.search, body ?? ""),
      );
      return { url: context.url, init: { ...context.init, headers } };
    },
  };
}
