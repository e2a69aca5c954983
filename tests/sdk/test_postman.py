"""The Postman collection, generated from the spec, run with newman against a live server.

Every request is signed by the collection's pre-request script and must answer a
status its operation documents, and never a 5xx.
"""


def test_every_request_of_the_collection_passes_its_tests(programs):
    assert "every request passed" in programs("postman")
