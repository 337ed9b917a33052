"""Exceptions to the site's Content-Security-Policy (config/settings.py), each named and narrow."""

from csp.decorators import csp_update

# Swagger UI and Redoc, the API's reference pages, set inline styles as they render and Redoc runs
# its search in a worker built from a blob; they show the API's own description, never user
# content, so only these are let through there.
api_reference_page = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})
