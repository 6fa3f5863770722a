"""The domain: every rule, transition and write lives here (DESIGN.md §5)."""
