"""Family pages over the roster: a guardian's children."""
