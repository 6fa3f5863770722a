"""Passwords, MFA, sessions, CSRF, tokens and permissions (DESIGN.md §7)."""
