"""JSON routers under /api/v1: parse, authorize, call a service, return a schema."""
