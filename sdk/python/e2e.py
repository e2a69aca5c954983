"""End-to-end program for the Python SDK: what an integrator writes, run against a live server.

Environment: GATEHOUSE_URL, GATEHOUSE_API_KEY, GATEHOUSE_API_SECRET,
GATEHOUSE_RECEIVER_URL (a webhook receiver), GATEHOUSE_PREFIX (unique names),
GATEHOUSE_SDK (the generated trees). Prints "all steps passed" or fails loudly.
"""

import json
import os
import sys
import time
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp

sys.path.insert(0, os.path.join(os.environ["GATEHOUSE_SDK"], "python"))

from gatehouse_client import (  # noqa: E402
    AccountsApi,
    ApiException,
    APIKeysApi,
    AuditLogApi,
    Configuration,
    CustomersApi,
    EventsApi,
    InventoryApi,
    MembersApi,
    OAuthApi,
    OAuthClientInput,
    OAuthClientsApi,
    OrdersApi,
    PaymentsApi,
    ProductInput,
    ProductsApi,
    SupportApi,
    UsageApi,
    WebhookInput,
    WebhooksApi,
)
from gatehouse_client.api_client import ApiClient  # noqa: E402
from gatehouse_client.models import (  # noqa: E402
    ApiKeyInput,
    ApiKeyUpdate,
    CustomerInput,
    ForgotPasswordInput,
    InventoryItemInput,
    InventoryItemUpdate,
    LoginInput,
    MemberInput,
    MemberRoleInput,
    MfaDisableInput,
    MfaVerifyInput,
    OrderInput,
    OrderItemInput,
    OrderStatusChange,
    OrderUpdate,
    PaymentInput,
    RefreshInput,
    RegisterInput,
    ResetPasswordInput,
    StockQuantity,
    SupportRequestInput,
    VerifyEmailInput,
    WebhookUpdate,
)
from gatehouse_client.signing import SignedApiClient  # noqa: E402

env = os.environ
prefix = env["GATEHOUSE_PREFIX"]
config = Configuration(host=env["GATEHOUSE_URL"] + "/api/v1")
client = SignedApiClient(
    config, api_key=env["GATEHOUSE_API_KEY"], api_secret=env["GATEHOUSE_API_SECRET"]
)


def step(name):
    print("step:", name, flush=True)


step("create products, stock, a customer and an order")
products = ProductsApi(client)
made = [
    products.create_product(
        ProductInput(sku=f"{prefix}-{n}", name=f"Mug {n}", price=f"{n}.50", currency="EUR")
    ).data
    for n in range(1, 4)
]
assert made[0].id.startswith("prod_"), made[0]
InventoryApi(client).create_inventory_item(
    InventoryItemInput(sku=made[0].sku, on_hand=10, product_id=made[0].id)
)
customer = (
    CustomersApi(client).create_customer(CustomerInput(email=f"{prefix.lower()}@example.com")).data
)
orders = OrdersApi(client)
order = orders.create_order(
    OrderInput(customer_id=customer.id, items=[OrderItemInput(product_id=made[0].id, quantity=2)]),
    idempotency_key=f"{prefix}-order-1",
).data
assert order.id.startswith("order_") and order.total == "3.00", order

step("list with pagination, a filter and field selection")
page = products.list_products(per_page=2, page=1, q=prefix)
assert page.pagination.total == 3 and page.pagination.total_pages == 2, page.pagination
assert len(page.data) == 2
second = products.list_products(per_page=2, page=2, q=prefix)
assert len(second.data) == 1 and second.data[0].id not in {p.id for p in page.data}
cheap = products.list_products(q=prefix, price_max="2.00")
assert [p.sku for p in cheap.data] == [f"{prefix}-1"], cheap.data
# A field selection answers partial products, so it is read raw rather than as models.
raw = products.list_products_without_preload_content(q=prefix, fields=["id", "name"])
rows = json.loads(raw.data)["data"]
assert rows and all(set(r) == {"id", "name"} for r in rows), rows

step("record a payment")
payment = (
    PaymentsApi(client)
    .record_payment(
        order.id, PaymentInput(amount="3.00", currency="EUR", method="card", status="succeeded")
    )
    .data
)
assert payment.id.startswith("pay_"), payment
assert [p.id for p in PaymentsApi(client).list_payments(order.id).data] == [payment.id]

step("register a webhook and read its deliveries")
webhooks = WebhooksApi(client)
hook = webhooks.create_webhook(WebhookInput(url=env["GATEHOUSE_RECEIVER_URL"], events=["*"])).data
# The test event is answered at once and recorded as a delivery (as the registration's is).
tested = webhooks.test_webhook(hook.id).data
assert webhooks.get_webhook_delivery(hook.id, tested.delivery_id).data.event_type == "webhook.test"
# A customer created now is an event for the hook: its delivery is recorded.
CustomersApi(client).create_customer(CustomerInput(email=f"{prefix.lower()}-hook@example.com"))
deadline = time.monotonic() + 30
while not webhooks.list_webhook_deliveries(hook.id, event_type=["customer.created"]).data:
    assert time.monotonic() < deadline, "no delivery recorded in 30 s"
    time.sleep(0.3)

step("a 404 and a validation error, as exceptions with the code and request id")
try:
    products.get_product("prod_01JZZZZZZZZZZZZZZZZZZZZZZZ")
    raise AssertionError("a missing product was found")
except ApiException as missing:
    assert missing.status == 404 and missing.data.error.code == "NOT_FOUND", missing.body
    assert missing.data.error.request_id.startswith("req_")
    assert missing.headers["X-Request-Id"] == missing.data.error.request_id
    missing_request_id = missing.data.error.request_id
try:
    # The SDK validates its own input; model_construct skips that so the server judges it.
    products.create_product(
        ProductInput.model_construct(sku="", name="", price="x", currency="EUR")
    )
    raise AssertionError("an invalid product was accepted")
except ApiException as invalid:
    error = json.loads(invalid.body)["error"]
    assert invalid.status == 400 and error["code"] == "VALIDATION_ERROR", invalid.body
    assert error["requestId"].startswith("req_") and len(error["details"]) >= 2, error

step("authenticate with an OAuth token (client credentials)")
created = (
    OAuthClientsApi(client)
    .create_oauth_client(OAuthClientInput(name=f"{prefix} app", scopes=["products:read"]))
    .data
)
unsigned = ApiClient(Configuration(host=config.host))
token = OAuthApi(unsigned).issue_token(
    grant_type="client_credentials",
    client_id=created.id,
    client_secret=created.client_secret,
    # The operation also takes JSON, which the generator would pick first; send the form.
    _content_type="application/x-www-form-urlencoded",
)
bearer = ApiClient(Configuration(host=config.host, access_token=token.access_token))
listed = ProductsApi(bearer).list_products(q=prefix)
assert listed.pagination.total == 3, listed.pagination
# Revoking the refresh token ends its whole grant, the access token with it.
oauth, form = OAuthApi(unsigned), "application/x-www-form-urlencoded"
itself = {"client_id": created.id, "client_secret": created.client_secret, "_content_type": form}
assert oauth.introspect_token(token.access_token, **itself).active
renewed = oauth.refresh_token(token.refresh_token, **itself)
oauth.revoke_token(renewed.refresh_token, **itself)

step("the rest of the catalogue, stock, customers, orders, webhooks, events and credentials")

renamed = products.update_product(
    made[2].id, ProductInput(sku=made[2].sku, name="Big mug", price="3.50", currency="EUR")
).data
assert renamed.name == "Big mug", renamed
products.delete_product(made[2].id)
customers = CustomersApi(client)
assert customers.get_customer(customer.id).data.email == customer.email
assert customer.id in {c.id for c in customers.list_customers(per_page=100).data}
customers.update_customer(customer.id, CustomerInput(email=customer.email, first_name="Ada"))
assert customers.get_customer(customer.id).data.first_name == "Ada"
customers.export_customer(customer.id)
inventory = InventoryApi(client)
assert inventory.get_inventory_item(made[0].sku).data.on_hand == 10
assert made[0].sku in {i.sku for i in inventory.list_inventory(per_page=100).data}
inventory.reserve_stock(made[0].sku, StockQuantity(quantity=1))
inventory.release_stock(made[0].sku, StockQuantity(quantity=1))
inventory.update_inventory_item(made[0].sku, InventoryItemUpdate(on_hand=12, product_id=made[0].id))
assert inventory.get_inventory_item(made[0].sku).data.on_hand == 12
inventory.create_inventory_item(InventoryItemInput(sku=made[1].sku, on_hand=1))
inventory.delete_inventory_item(made[1].sku)
second_order = orders.create_order(
    OrderInput(customer_id=customer.id, items=[OrderItemInput(product_id=made[0].id, quantity=1)])
).data
orders.update_order(
    second_order.id, OrderUpdate(items=[OrderItemInput(product_id=made[0].id, quantity=2)])
)
assert order.id in {o.id for o in orders.list_orders(per_page=100).data}
orders.cancel_order(second_order.id)
third_order = orders.create_order(
    OrderInput(customer_id=customer.id, items=[OrderItemInput(product_id=made[0].id, quantity=1)])
).data
moved = orders.change_order_status(third_order.id, OrderStatusChange(status="cancelled")).data
assert moved.status == "cancelled", moved
assert orders.get_order(second_order.id).data.status == "cancelled"
throwaway = customers.create_customer(
    CustomerInput(email=f"{prefix.lower()}-gone@example.com")
).data
customers.delete_customer(throwaway.id)
webhooks.update_webhook(
    hook.id, WebhookUpdate(url=hook.url, events=["*"], description="all events")
)
assert webhooks.get_webhook(hook.id).data.description == "all events"
assert hook.id in {w.id for w in webhooks.list_webhooks().data}
delivery = webhooks.list_webhook_deliveries(hook.id).data[0]
assert webhooks.get_webhook_delivery(hook.id, delivery.id).data.id == delivery.id
# A delivery whose attempt is in flight answers 409 CONFLICT ("try again when it ends").
deadline = time.monotonic() + 30
while True:
    try:
        webhooks.redeliver_webhook_delivery(hook.id, delivery.id)
        break
    except ApiException as error:
        assert error.status == 409 and time.monotonic() < deadline, error
        time.sleep(0.2)
webhooks.get_webhook_secret(hook.id)
webhooks.rotate_webhook_secret(hook.id)
webhooks.pause_webhook(hook.id)
webhooks.resume_webhook(hook.id)
events = EventsApi(client).list_events(per_page=5).data
assert events and EventsApi(client).get_event(events[0].id).data.id == events[0].id
keys = APIKeysApi(client)
own = keys.list_api_keys().data[0]
assert keys.get_api_key(own.id).data.id == own.id
keys.get_api_key_usage(own.id)
spare = keys.create_api_key(ApiKeyInput(name=f"{prefix} spare", scopes=["products:read"])).data
keys.update_api_key(spare.id, ApiKeyUpdate(name=f"{prefix} spare key", scopes=["products:read"]))
assert keys.get_api_key(spare.id).data.name == f"{prefix} spare key"
keys.regenerate_api_key(spare.id)
keys.revoke_api_key(spare.id)
oauth_clients = OAuthClientsApi(client)
assert created.id in {c.id for c in oauth_clients.list_oauth_clients().data}
assert oauth_clients.get_oauth_client(created.id).data.name == f"{prefix} app"
oauth_clients.rotate_oauth_client_secret(created.id)
oauth_clients.revoke_oauth_client(created.id)
webhooks.recover_webhook_deliveries(hook.id, since=datetime(2020, 1, 1, tzinfo=UTC))
webhooks.delete_webhook(hook.id)

step("usage reports, rate-limit quotas and the audit log")
usage = UsageApi(client)
# Records reach the reports within about a second of each answer (written in batches).
deadline = time.monotonic() + 30
while True:
    summary = usage.get_usage_summary().data
    errors = usage.get_usage_errors().data
    if summary.totals.requests > 0 and errors.errors >= 2:  # the 404 and the 400 above
        break
    assert time.monotonic() < deadline, f"usage not recorded: {summary} {errors}"
    time.sleep(0.5)
assert usage.get_usage_endpoints().data.endpoints
assert summary.totals.rate_limited >= 0 and len(summary.days) == 30
# The request log: the 404 above, under the request id its error body quoted.
while True:
    failed = usage.list_usage_requests(outcome="error", status=[404], per_page=100).data
    if missing_request_id in {row.request_id for row in failed}:
        break
    assert time.monotonic() < deadline, f"the 404 is not in the request log: {failed}"
    time.sleep(0.5)
assert all(row.status == 404 and row.occurred_at for row in failed)
hour = {w.name: w for w in usage.get_usage_quotas().data.windows}["hour"]
assert 0 <= hour.remaining < hour.limit
audit = AuditLogApi(client)
revoked = audit.list_audit_events(action=["revoke_api_key"], resource_id=spare.id).data
assert len(revoked) == 1 and revoked[0].outcome == "success"
assert audit.get_audit_event(revoked[0].id).data.resource.id == spare.id

step("a support request: sent with the key, listed, read back")
support = SupportApi(client)
sent = support.create_support_request(
    SupportRequestInput(subject=f"{prefix} question", category="question", message="How do I page?")
).data
assert sent.id.startswith("sup_") and sent.sender.type == "api_key" and sent.sender.email is None
assert sent.id in {r.id for r in support.list_support_requests(per_page=100).data}
assert support.get_support_request(sent.id).data.subject == f"{prefix} question"

step("a person: sign up, verify the address, sign in, MFA, members, password reset")
mail_dir = Path(env["GATEHOUSE_MAIL_DIR"])


def link_token(address: str, page: str) -> str:
    """The token of the newest mailed link to the portal page `page` for `address`."""
    found = None
    for path in sorted(mail_dir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] != address:
            continue
        for word in message.get_content().split():
            parts = urlsplit(word)
            if parts.path == f"/portal/{page}":
                found = parse_qs(parts.query)["token"][0]
    assert found, f"no /portal/{page} mail to {address}"
    return found


accounts = AccountsApi(unsigned)
ada, password = f"{prefix.lower()}-ada@example.com", "correct horse battery staple"
accounts.register(
    RegisterInput(email=ada, password=password, name="Ada", organization_name=f"{prefix} engines")
)
accounts.verify_email(VerifyEmailInput(token=link_token(ada, "verify-email")))
session = accounts.login(LoginInput(email=ada, password=password))
session = accounts.refresh(RefreshInput(refresh_token=session.refresh_token))
person = AccountsApi(ApiClient(Configuration(host=config.host, access_token=session.access_token)))
me = person.get_me().data
assert me.email == ada and me.email_verified, me
totp = pyotp.TOTP(person.enable_mfa().data.secret)
person.verify_mfa(MfaVerifyInput(code=totp.now()))
assert person.get_me().data.mfa_enabled
# The next period's code: the one just used may not be spent twice.
person.disable_mfa(MfaDisableInput(password=password, code=totp.at(time.time() + 30)))
grace = f"{prefix.lower()}-grace@example.com"
accounts.register(
    RegisterInput(email=grace, password=password, name="Grace", organization_name=f"{prefix} navy")
)
members = MembersApi(person.api_client)
added = members.add_member(me.organization_id, MemberInput(email=grace, role="developer")).data
assert added.status == "invited"  # until Grace follows the invitation's link
members.change_member_role(me.organization_id, added.user_id, MemberRoleInput(role="viewer"))
assert grace in {m.email for m in members.list_members(me.organization_id).data}
members.remove_member(me.organization_id, added.user_id)
person.logout()
accounts.forgot_password(ForgotPasswordInput(email=ada))
accounts.reset_password(
    ResetPasswordInput(token=link_token(ada, "reset-password"), password=password + " again")
)
accounts.login(LoginInput(email=ada, password=password + " again"))

print("all steps passed")
