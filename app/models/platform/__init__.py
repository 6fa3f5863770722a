"""Tables every domain uses: audit events, documents, job state, the outbox."""
