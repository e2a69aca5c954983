def test_health_names_the_database(server):
    import requests

    body = requests.get(f"{server.url}/api/health", timeout=5).json()
    assert body == {"status": "ok", "checks": {"database": "ok"}}


def test_signed_create_then_get(api):
    created = api.post(
        "/api/v1/products",
        json={"sku": "SMOKE-1", "name": "Smoke", "price": "1.00", "currency": "EUR"},
    )
    assert created.status_code == 201, created.text
    product_id = created.json()["data"]["id"]
    fetched = api.get(f"/api/v1/products/{product_id}")
    assert fetched.status_code == 200
    assert fetched.json()["data"]["price"] == "1.00"
