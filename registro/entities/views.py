from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import entidad_search


@login_required
def landing(request):
    """Section 3, "Crear o solicitar acceso a una Entidad" (R5.4): where a user without any
    entity lands. It starts from the entity named at registration."""
    query = request.GET.get("q")
    if query is None:
        query = request.user.entity_nit or request.user.entity_name
    results = list(entidad_search(query=query)) if query else []
    return render(request, "entities/landing.html", {"query": query, "results": results})
