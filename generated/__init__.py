"""Generated from openapi/ by `make generate`. Never edit by hand."""
