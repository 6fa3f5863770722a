"""Pages of the identity domain: staff sign-in, account, staff and API-client administration."""
