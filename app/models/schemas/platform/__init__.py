"""Request and response schemas of platform resources."""
