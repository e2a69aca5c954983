// Runs after every request: one the collection signed must never be refused as unauthenticated.
pm.test('a signed request is authenticated', function () {
  if (pm.request.headers.has('X-API-Signature')) {
    pm.expect(pm.response.code).to.not.equal(401);
  }
});
