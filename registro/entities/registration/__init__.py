"""Registering a State Entity account (R2, R3): section 3 ("Validar", request access), the
pre-form, the form, drafts, documents and "Finalizar", and later corrections of the registered
data while the Mesa de Servicio asks for them."""
