"""JSON API of platform resources (the audit log)."""
