"""Tables of the identity domain: employees and factors, sessions and links, API clients."""
