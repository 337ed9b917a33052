"""The acting account's console ("Escritorio"): its users, access requests, invitations, roles,
purchasing units (a State-entity feature) and history, as pages and API operations over the
membership services."""
