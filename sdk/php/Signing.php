<?php
/**
 * Signed API-key requests for the generated client: the one hand-written class of the package.
 *
 *   $stack = \GuzzleHttp\HandlerStack::create();
 *   $stack->push(\Gatehouse\Client\Signing::middleware($key, $secret));
 *   $products = new ProductsApi(new \GuzzleHttp\Client(['handler' => $stack]), $config);
 *
 * Every request carries X-API-Key, X-Timestamp and X-API-Signature =
 * "sha256=" + hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path?query}.{raw body}").
 */

namespace Gatehouse\Client;

use GuzzleHttp\Middleware;
use Psr\Http\Message\RequestInterface;

final class Signing
{
    public static function signature(string $secret, string $timestamp, string $method, string $target, string $body): string
    {
        return 'sha256=' . hash_hmac('sha256', "{$timestamp}." . strtoupper($method) . ".{$target}.{$body}", $secret);
    }

    /** A Guzzle handler-stack middleware that signs the request as it will be sent. */
    public static function middleware(string $apiKey, string $apiSecret, ?callable $clock = null): callable
    {
        $clock = $clock ?? 'time';
        return Middleware::mapRequest(function (RequestInterface $request) use ($apiKey, $apiSecret, $clock) {
            $body = (string) $request->getBody();
            $request->getBody()->rewind();
            $timestamp = (string) $clock();
            $uri = $request->getUri();
            $target = $uri->getPath() . ($uri->getQuery() !== '' ? '?' . $uri->getQuery() : '');
            return $request
                ->withHeader('X-API-Key', $apiKey)
                ->withHeader('X-Timestamp', $timestamp)
                ->withHeader('X-API-Signature', self::signature($apiSecret, $timestamp, $request->getMethod(), $target, $body));
        });
    }
}
