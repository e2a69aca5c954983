// End-to-end program for the TypeScript SDK: what an integrator writes, run against a live server.
// Environment as for sdk/python/e2e.py. Prints "all steps passed" or exits non-zero.
import {
  Configuration, CustomersApi, InventoryApi, OAuthApi, OAuthClientsApi, OrdersApi, PaymentsApi,
  ProductsApi, ResponseError, WebhooksApi,
} from "../generated/typescript/src/index";
import { signedApiKey } from "../generated/typescript/src/signing";

declare const process: { env: Record<string, string>; exit(code: number): never };

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function errorOf(call: Promise<unknown>): Promise<{ status: number; code: string; requestId: string; details: object }> {
  try {
    await call;
  } catch (e) {
    if (!(e instanceof ResponseError)) throw e;
    const { error } = await e.response.json();
    return { status: e.response.status, code: error.code, requestId: error.requestId, details: error.details };
  }
  throw new Error("the call succeeded");
}

async function main(): Promise<void> {
  const env = process.env;
  const prefix = env.GATEHOUSE_PREFIX;
  const basePath = `${env.GATEHOUSE_URL}/api/v1`;
  const config = new Configuration({ basePath, middleware: [signedApiKey(env.GATEHOUSE_API_KEY, env.GATEHOUSE_API_SECRET)] });
  const products = new ProductsApi(config);

  console.log("step: create products, stock, a customer and an order");
  const made = [];
  for (const n of [1, 2, 3]) {
    made.push((await products.createProduct({ productInput: { sku: `${prefix}-${n}`, name: `Mug ${n}`, price: `${n}.50`, currency: "EUR" } })).data);
  }
  check(made[0].id.startsWith("prod_"), "product id");
  await new InventoryApi(config).createInventoryItem({ inventoryItemInput: { sku: made[0].sku!, onHand: 10, productId: made[0].id } });
  const customer = (await new CustomersApi(config).createCustomer({ customerInput: { email: `${prefix.toLowerCase()}@example.com` } })).data;
  const orders = new OrdersApi(config);
  const order = (await orders.createOrder({
    orderInput: { customerId: customer.id, items: [{ productId: made[0].id, quantity: 2 }] },
    idempotencyKey: `${prefix}-order-1`,
  })).data;
  check(order.id.startsWith("order_") && order.total === "3.00", `order ${JSON.stringify(order)}`);
  const again = await orders.getOrder({ orderId: order.id });
  check(again.data.id === order.id, "order read back");

  console.log("step: list with pagination, a filter and field selection");
  const page = await products.listProducts({ perPage: 2, page: 1, q: prefix });
  check(page.pagination.total === 3 && page.pagination.totalPages === 2 && page.data.length === 2, "first page");
  const second = await products.listProducts({ perPage: 2, page: 2, q: prefix });
  check(second.data.length === 1 && !page.data.some((p) => p.id === second.data[0].id), "second page");
  const cheap = await products.listProducts({ q: prefix, priceMax: "2.00" });
  check(cheap.data.length === 1 && cheap.data[0].sku === `${prefix}-1`, "price filter");
  // A field selection answers partial products: read the raw JSON rather than the typed model.
  const raw = await products.listProductsRaw({ q: prefix, fields: new Set(["id", "name"] as const) });
  const rows: object[] = (await raw.raw.json()).data;
  check(rows.length === 3 && rows.every((r) => Object.keys(r).sort().join() === "id,name"), "field selection");

  console.log("step: record a payment");
  const payments = new PaymentsApi(config);
  const payment = (await payments.recordPayment({
    orderId: order.id, paymentInput: { amount: "3.00", currency: "EUR", method: "card", status: "succeeded" },
  })).data;
  check(payment.id.startsWith("pay_"), "payment id");
  check((await payments.listPayments({ orderId: order.id })).data.map((p) => p.id).join() === payment.id, "payments");

  console.log("step: register a webhook and read its deliveries");
  const webhooks = new WebhooksApi(config);
  const hook = (await webhooks.createWebhook({ webhookInput: { url: env.GATEHOUSE_RECEIVER_URL, events: new Set(["*"] as const) } })).data;
  // The test event is answered at once and recorded as a delivery (as the registration's is).
  const tested = (await webhooks.testWebhook({ webhookId: hook.id })).data;
  check((await webhooks.getWebhookDelivery({ webhookId: hook.id, deliveryId: tested.deliveryId })).data.eventType === "webhook.test", "test delivery");
  // A customer created now is an event for the hook: its delivery is recorded.
  await new CustomersApi(config).createCustomer({ customerInput: { email: `${prefix.toLowerCase()}-hook@example.com` } });
  const deadline = Date.now() + 30_000;
  while ((await webhooks.listWebhookDeliveries({ webhookId: hook.id, eventType: new Set(["customer.created"] as const) })).data.length === 0) {
    check(Date.now() < deadline, "no delivery recorded in 30 s");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  console.log("step: a 404 and a validation error, with the code and request id");
  const missing = await errorOf(products.getProduct({ productId: "prod_01JZZZZZZZZZZZZZZZZZZZZZZZ" }));
  check(missing.status === 404 && missing.code === "NOT_FOUND" && missing.requestId.startsWith("req_"), JSON.stringify(missing));
  const invalid = await errorOf(products.createProduct({ productInput: { sku: "", name: "", price: "x", currency: "EUR" } }));
  check(invalid.status === 400 && invalid.code === "VALIDATION_ERROR" && Object.keys(invalid.details).length >= 2, JSON.stringify(invalid));

  console.log("step: authenticate with an OAuth token (client credentials)");
  const client = (await new OAuthClientsApi(config).createOauthClient({ oAuthClientInput: { name: `${prefix} app`, scopes: new Set(["products:read"] as const) } })).data;
  const token = await new OAuthApi(new Configuration({ basePath })).issueToken({
    grantType: "client_credentials", clientId: client.id, clientSecret: client.clientSecret,
  });
  // typescript-fetch sends the OAuth2 token value as the whole Authorization header.
  const bearer = new ProductsApi(new Configuration({ basePath, accessToken: `Bearer ${token.accessToken}` }));
  check((await bearer.listProducts({ q: prefix })).pagination.total === 3, "listed with a bearer token");
  console.log("all steps passed");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
