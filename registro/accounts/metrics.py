"""Login counters, moved by the same signals that feed the access history (signals.py)."""

from prometheus_client import Counter

LOGINS = Counter("registro_logins", "Successful logins (web and API).")
LOGIN_FAILURES = Counter("registro_login_failures", "Failed logins: wrong password or unknown user.")
