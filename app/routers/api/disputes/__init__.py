"""JSON API of disputes."""
