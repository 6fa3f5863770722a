"""JSON API of vendors, agreements and the public registry."""
