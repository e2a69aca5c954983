// Signs every request that is not already authenticated with the API-key scheme:
// X-API-Signature = "sha256=" + hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path?query}.{raw body}").
// Set apiKey and apiSecret in the environment; a request with an Authorization header is left alone.
if (!pm.request.headers.has('Authorization') && pm.environment.get('apiKey')) {
  var url = pm.request.url;
  var path = '/' + url.path.map(function (segment) { return pm.variables.replaceIn(segment); }).join('/');
  var query = url.query.filter(function (p) { return !p.disabled; })
    .map(function (p) { return pm.variables.replaceIn(p.key) + '=' + pm.variables.replaceIn(p.value || ''); });
  var target = path + (query.length ? '?' + query.join('&') : '');
  var body = pm.request.body && pm.request.body.mode === 'raw' ? pm.variables.replaceIn(pm.request.body.raw) : '';
  var timestamp = String(Math.floor(Date.now() / 1000));
  var payload = timestamp + '.' + pm.request.method.toUpperCase() + '.' + target + '.' + body;
  var signature = CryptoJS.HmacSHA256(payload, pm.environment.get('apiSecret')).toString(CryptoJS.enc.Hex);
  pm.request.headers.upsert({ key: 'X-API-Key', value: pm.environment.get('apiKey') });
  pm.request.headers.upsert({ key: 'X-Timestamp', value: timestamp });
  pm.request.headers.upsert({ key: 'X-API-Signature', value: 'sha256=' + signature });
}
