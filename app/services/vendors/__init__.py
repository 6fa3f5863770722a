"""Vendors and their data privacy agreements: vetting, the agreement lifecycle, expiry, the registry."""
