"""The account ("Entidad" in SECOP II's words, whatever its kind): its identity (NIT), data and
lifecycle, and its history. The lowest of the entity packages: it knows nothing of members,
registration or the console."""
