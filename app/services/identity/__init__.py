"""Identity: employees, sign-in and MFA, families' and vendors' email links, API clients, throttles."""
