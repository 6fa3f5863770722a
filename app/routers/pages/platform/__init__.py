"""Pages that belong to no one domain: the public home, the audit log, the development outbox."""
