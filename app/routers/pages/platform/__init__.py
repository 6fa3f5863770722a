"""Pages of no one domain: the public home, the audit log, the API documentation, the dev outbox."""
