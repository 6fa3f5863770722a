"""Platform services every domain uses: audit log, outbox, documents and upload checks, references."""
