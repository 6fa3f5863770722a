"""Response headers several routers share: rate limits (IETF httpapi RateLimit fields)."""

from __future__ import annotations


def rate_limit_headers(
    retry_after: int, *, limit: int | None = None, policy: str = "token-failures"
) -> dict[str, str]:
    """``Retry-After`` plus the ``RateLimit-Policy``/``RateLimit`` fields for a refused request
    (draft-ietf-httpapi-ratelimit-headers: quota ``q`` per window ``w``; ``r`` left, reset ``t``)."""
    headers = {"Retry-After": str(retry_after), "RateLimit": f'"{policy}";r=0;t={retry_after}'}
    if limit is not None:
        headers["RateLimit-Policy"] = f'"{policy}";q={limit};w={retry_after}'
    return headers
