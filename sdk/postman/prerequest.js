// Signs every request that carries no Authorization header with the API-key scheme:
// X-API-Signature = "sha256=" + hex HMAC-SHA256(apiSecret, "{timestamp}.{METHOD}.{path?query}.{raw body}").
// Set gatehouseUrl, apiKey and apiSecret in the environment.
var CryptoJS = require('crypto-js');
if (!pm.request.headers.has('Authorization') && pm.environment.get('apiKey')) {
  var url = pm.variables.replaceIn(pm.request.url.toString());
  pm.request.url.variables.each(function (variable) {
    url = url.replace(':' + variable.key, pm.variables.replaceIn(String(variable.value)));
  });
  var target = url.replace(/^[a-z]+:\/\/[^\/]+/i, '');
  var body = pm.request.body && pm.request.body.mode === 'raw' ? pm.variables.replaceIn(pm.request.body.raw) : '';
  var timestamp = String(Math.floor(Date.now() / 1000));
  var payload = timestamp + '.' + pm.request.method.toUpperCase() + '.' + target + '.' + body;
  var signature = CryptoJS.HmacSHA256(payload, pm.environment.get('apiSecret')).toString(CryptoJS.enc.Hex);
  pm.request.headers.upsert({ key: 'X-API-Key', value: pm.environment.get('apiKey') });
  pm.request.headers.upsert({ key: 'X-Timestamp', value: timestamp });
  pm.request.headers.upsert({ key: 'X-API-Signature', value: 'sha256=' + signature });
}
