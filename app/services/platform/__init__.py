"""Platform services every domain uses: the audit log, the outbox, stored documents, references, health."""
