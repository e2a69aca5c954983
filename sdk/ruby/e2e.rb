# End-to-end program for the Ruby SDK: what an integrator writes, run against a live server.
# Environment as for sdk/python/e2e.py. Runs on Debian's ruby-typhoeus, no RubyGems.
$LOAD_PATH.unshift(File.join(ENV.fetch('GATEHOUSE_SDK'), 'ruby', 'lib'))
require 'json'
require 'gatehouse_client'
require 'gatehouse_client/signing'

def check(condition, message)
  raise "check failed: #{message}" unless condition
end

def step(name)
  puts "step: #{name}"
  $stdout.flush
end

prefix = ENV.fetch('GATEHOUSE_PREFIX')
config = GatehouseClient::Configuration.new
config.scheme = 'http'
config.host = ENV.fetch('GATEHOUSE_URL').sub(%r{\Ahttps?://}, '')
config.base_path = '/api/v1'
client = GatehouseClient::SignedApiClient.new(
  config, api_key: ENV.fetch('GATEHOUSE_API_KEY'), api_secret: ENV.fetch('GATEHOUSE_API_SECRET')
)
products = GatehouseClient::ProductsApi.new(client)

step 'create products, stock, a customer and an order'
made = (1..3).map do |n|
  products.create_product(
    GatehouseClient::ProductInput.new(sku: "#{prefix}-#{n}", name: "Mug #{n}", price: "#{n}.50", currency: 'EUR')
  ).data
end
check made[0].id.start_with?('prod_'), 'product id'
GatehouseClient::InventoryApi.new(client).create_inventory_item(
  GatehouseClient::InventoryItemInput.new(sku: made[0].sku, on_hand: 10, product_id: made[0].id)
)
customers = GatehouseClient::CustomersApi.new(client)
customer = customers.create_customer(GatehouseClient::CustomerInput.new(email: "#{prefix.downcase}@example.com")).data
orders = GatehouseClient::OrdersApi.new(client)
order = orders.create_order(
  GatehouseClient::OrderInput.new(
    customer_id: customer.id, items: [GatehouseClient::OrderItemInput.new(product_id: made[0].id, quantity: 2)]
  ),
  idempotency_key: "#{prefix}-order-1"
).data
check order.id.start_with?('order_') && order.total == '3.00', "order #{order.to_hash}"
check orders.get_order(order.id).data.id == order.id, 'order read back'

step 'list with pagination, a filter and field selection'
page = products.list_products(per_page: 2, page: 1, q: prefix)
check page.pagination.total == 3 && page.pagination.total_pages == 2 && page.data.size == 2, 'first page'
second = products.list_products(per_page: 2, page: 2, q: prefix)
check second.data.size == 1 && page.data.none? { |p| p.id == second.data[0].id }, 'second page'
cheap = products.list_products(q: prefix, price_max: '2.00')
check cheap.data.map(&:sku) == ["#{prefix}-1"], 'price filter'
# A field selection answers partial products: read the raw JSON rather than the typed model.
raw = products.list_products(q: prefix, fields: %w[id name], debug_return_type: 'String')
check JSON.parse(raw)['data'].all? { |row| row.keys.sort == %w[id name] }, 'field selection'

step 'record a payment'
payments = GatehouseClient::PaymentsApi.new(client)
payment = payments.record_payment(
  order.id, GatehouseClient::PaymentInput.new(amount: '3.00', currency: 'EUR', method: 'card', status: 'succeeded')
).data
check payment.id.start_with?('pay_'), 'payment id'
check payments.list_payments(order.id).data.map(&:id) == [payment.id], 'payments'

step 'register a webhook and read its deliveries'
webhooks = GatehouseClient::WebhooksApi.new(client)
hook = webhooks.create_webhook(
  GatehouseClient::WebhookInput.new(url: ENV.fetch('GATEHOUSE_RECEIVER_URL'), events: ['*'])
).data
# A customer created now is an event for the hook: its delivery is recorded.
customers.create_customer(GatehouseClient::CustomerInput.new(email: "#{prefix.downcase}-hook@example.com"))
deadline = Time.now + 30
while webhooks.list_webhook_deliveries(hook.id, event_type: ['customer.created']).data.empty?
  check Time.now < deadline, 'no delivery recorded in 30 s'
  sleep 0.3
end

step 'a 404 and a validation error, as exceptions with the code and request id'
begin
  products.get_product('prod_01JZZZZZZZZZZZZZZZZZZZZZZZ')
  raise 'a missing product was found'
rescue GatehouseClient::ApiError => e
  error = JSON.parse(e.response_body)['error']
  check e.code == 404 && error['code'] == 'NOT_FOUND' && error['requestId'].start_with?('req_'), e.response_body
end
begin
  # The models check their input; a plain hash lets the server judge it.
  products.create_product({ sku: '', name: '', price: 'x', currency: 'EUR' })
  raise 'an invalid product was accepted'
rescue GatehouseClient::ApiError => e
  error = JSON.parse(e.response_body)['error']
  check e.code == 400 && error['code'] == 'VALIDATION_ERROR' && error['details'].size >= 2, e.response_body
end

step 'authenticate with an OAuth token (client credentials)'
created = GatehouseClient::OAuthClientsApi.new(client).create_oauth_client(
  GatehouseClient::OAuthClientInput.new(name: "#{prefix} app", scopes: ['products:read'])
).data
# The operation takes a form or JSON; the Ruby generator always picks JSON and
# fills only form fields, so the JSON body is given whole.
token = GatehouseClient::OAuthApi.new(GatehouseClient::ApiClient.new(config)).issue_token(
  'client_credentials',
  debug_body: JSON.generate(grant_type: 'client_credentials', client_id: created.id, client_secret: created.client_secret)
)
bearer_config = config.dup
bearer_config.access_token = token.access_token
listed = GatehouseClient::ProductsApi.new(GatehouseClient::ApiClient.new(bearer_config)).list_products(q: prefix)
check listed.pagination.total == 3, 'listed with a bearer token'

puts 'all steps passed'
