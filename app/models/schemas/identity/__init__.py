"""Request and response schemas of the identity domain."""
