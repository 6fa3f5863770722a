"""HTML routers: parse, authorize, call a service, render a template (a fragment for htmx)."""
