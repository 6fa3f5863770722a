"""JSON API of the sharing check and the disclosure log."""
