# Signed API-key requests for the generated client: the one hand-written file of the gem.
#
#   client = GatehouseClient::SignedApiClient.new(config, api_key: "ak_test_...", api_secret: "sk_...")
#   GatehouseClient::ProductsApi.new(client).list_products(per_page: 10)
#
# Every request carries X-API-Key, X-Timestamp and X-API-Signature =
# "sha256=" + hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path?query}.{raw body}").
require 'openssl'
require 'uri'

module GatehouseClient
  module Signing
    def self.signature(secret, timestamp, method, target, body)
      payload = [timestamp, method.to_s.upcase, target, body].join('.')
      'sha256=' + OpenSSL::HMAC.hexdigest('SHA256', secret, payload)
    end
  end

  # An ApiClient whose every Typhoeus request is signed as it will be sent.
  class SignedApiClient < ApiClient
    def initialize(config = Configuration.default, api_key:, api_secret:, clock: -> { Time.now.to_i })
      super(config)
      @api_key = api_key
      @api_secret = api_secret
      @clock = clock
    end

    def build_request(http_method, path, opts = {})
      request = super
      # Typhoeus's own URL building gives the query string exactly as it goes out.
      uri = URI.parse(request.url)
      target = uri.request_uri
      timestamp = @clock.call.to_s
      body = request.options[:body].to_s
      request.options[:headers].merge!(
        'X-API-Key' => @api_key,
        'X-Timestamp' => timestamp,
        'X-API-Signature' => Signing.signature(@api_secret, timestamp, http_method, target, body)
      )
      request
    end
  end
end
