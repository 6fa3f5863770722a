"""JSON API of the identity domain: tokens, whoami, employees, API clients."""
