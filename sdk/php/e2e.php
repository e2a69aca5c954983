<?php
// End-to-end program for the PHP SDK: what an integrator writes, run against a live server.
// Environment as for sdk/python/e2e.py. Runs on Debian's php-guzzlehttp-guzzle and psr7, no Composer.

// Debian's Guzzle, PSR-7 and PSR-18 ship their own autoloaders; the SDK is PSR-4 under lib/.
foreach (['GuzzleHttp/autoload.php', 'GuzzleHttp/Psr7/autoload.php', 'GuzzleHttp/Promise/autoload.php',
          'Psr/Http/Message/autoload.php', 'Psr/Http/Client/autoload.php'] as $file) {
    require_once "/usr/share/php/$file";
}
$lib = getenv('GATEHOUSE_SDK') . '/php/lib/';
spl_autoload_register(function (string $class) use ($lib) {
    $prefix = 'Gatehouse\\Client\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        $path = $lib . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($path)) {
            require $path;
        }
    }
});

use Gatehouse\Client\Api;
use Gatehouse\Client\ApiException;
use Gatehouse\Client\Configuration;
use Gatehouse\Client\Model;
use Gatehouse\Client\Signing;

function check($condition, string $message): void
{
    if (!$condition) {
        throw new RuntimeException("check failed: $message");
    }
}

function step(string $name): void
{
    echo "step: $name\n";
}

$prefix = getenv('GATEHOUSE_PREFIX');
$config = (new Configuration())->setHost(getenv('GATEHOUSE_URL') . '/api/v1');
$stack = GuzzleHttp\HandlerStack::create();
$stack->push(Signing::middleware(getenv('GATEHOUSE_API_KEY'), getenv('GATEHOUSE_API_SECRET')));
$http = new GuzzleHttp\Client(['handler' => $stack]);
$products = new Api\ProductsApi($http, $config);

step('create products, stock, a customer and an order');
$made = [];
foreach ([1, 2, 3] as $n) {
    $made[] = $products->createProduct(new Model\ProductInput([
        'sku' => "$prefix-$n", 'name' => "Mug $n", 'price' => "$n.50", 'currency' => 'EUR',
    ]))->getData();
}
check(str_starts_with($made[0]->getId(), 'prod_'), 'product id');
(new Api\InventoryApi($http, $config))->createInventoryItem(new Model\InventoryItemInput([
    'sku' => $made[0]->getSku(), 'on_hand' => 10, 'product_id' => $made[0]->getId(),
]));
$customers = new Api\CustomersApi($http, $config);
$customer = $customers->createCustomer(new Model\CustomerInput(['email' => strtolower($prefix) . '@example.com']))->getData();
$orders = new Api\OrdersApi($http, $config);
$order = $orders->createOrder(new Model\OrderInput([
    'customer_id' => $customer->getId(),
    'items' => [new Model\OrderItemInput(['product_id' => $made[0]->getId(), 'quantity' => 2])],
]), "$prefix-order-1")->getData();
check(str_starts_with($order->getId(), 'order_') && $order->getTotal() === '3.00', 'order');
check($orders->getOrder($order->getId())->getData()->getId() === $order->getId(), 'order read back');

step('list with pagination, a filter and field selection');
$page = $products->listProducts(1, 2, $prefix);
check($page->getPagination()->getTotal() === 3 && $page->getPagination()->getTotalPages() === 2, 'pagination');
$second = $products->listProducts(2, 2, $prefix);
check(count($second->getData()) === 1, 'second page');
$cheap = $products->listProducts(1, 20, $prefix, null, null, '2.00');
check(count($cheap->getData()) === 1 && $cheap->getData()[0]->getSku() === "$prefix-1", 'price filter');
$narrow = $products->listProducts(1, 20, $prefix, null, null, null, null, null, null, null, ['id', 'name']);
foreach ($narrow->getData() as $row) {
    check($row->getName() !== null && $row->getSku() === null, 'field selection');
}

step('record a payment');
$payments = new Api\PaymentsApi($http, $config);
$payment = $payments->recordPayment($order->getId(), new Model\PaymentInput([
    'amount' => '3.00', 'currency' => 'EUR', 'method' => 'card', 'status' => 'succeeded',
]))->getData();
check(str_starts_with($payment->getId(), 'pay_'), 'payment id');
check($payments->listPayments($order->getId())->getData()[0]->getId() === $payment->getId(), 'payments');

step('register a webhook and read its deliveries');
$webhooks = new Api\WebhooksApi($http, $config);
$hook = $webhooks->createWebhook(new Model\WebhookInput(['url' => getenv('GATEHOUSE_RECEIVER_URL'), 'events' => ['*']]))->getData();
// A customer created now is an event for the hook: its delivery is recorded.
$customers->createCustomer(new Model\CustomerInput(['email' => strtolower($prefix) . '-hook@example.com']));
$deadline = microtime(true) + 30;
while (count($webhooks->listWebhookDeliveries($hook->getId(), 1, 20, null, ['customer.created'])->getData()) === 0) {
    check(microtime(true) < $deadline, 'no delivery recorded in 30 s');
    usleep(300000);
}

step('a 404 and a validation error, as exceptions with the code and request id');
try {
    $products->getProduct('prod_01JZZZZZZZZZZZZZZZZZZZZZZZ');
    throw new RuntimeException('a missing product was found');
} catch (ApiException $missing) {
    $error = $missing->getResponseObject()->getError();
    check($missing->getCode() === 404 && $error->getCode() === 'NOT_FOUND', 'not found');
    check(str_starts_with($error->getRequestId(), 'req_'), 'request id');
}
try {
    // The constructor does not run the setters' checks, so the server judges this one.
    $products->createProduct(new Model\ProductInput(['sku' => '', 'name' => '', 'price' => 'x', 'currency' => 'EUR']));
    throw new RuntimeException('an invalid product was accepted');
} catch (ApiException $invalid) {
    $error = $invalid->getResponseObject()->getError();
    check($invalid->getCode() === 400 && $error->getCode() === 'VALIDATION_ERROR', 'validation');
    check(count((array) $error->getDetails()) >= 2, 'every invalid field reported');
}

step('authenticate with an OAuth token (client credentials)');
$client = (new Api\OAuthClientsApi($http, $config))->createOauthClient(new Model\OAuthClientInput([
    'name' => "$prefix app", 'scopes' => ['products:read'],
]))->getData();
$token = (new Api\OAuthApi(new GuzzleHttp\Client(), $config))->issueToken('client_credentials', $client->getId(), $client->getClientSecret());
$bearerConfig = (new Configuration())->setHost($config->getHost())->setAccessToken($token->getAccessToken());
$listed = (new Api\ProductsApi(new GuzzleHttp\Client(), $bearerConfig))->listProducts(1, 20, $prefix);
check($listed->getPagination()->getTotal() === 3, 'listed with a bearer token');

echo "all steps passed\n";
