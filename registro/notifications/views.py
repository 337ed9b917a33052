from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from . import selectors


def _require_outbox():
    # Permission rule: the dev outbox exists only where DEV_OUTBOX is on (never in production).
    if not settings.DEV_OUTBOX:
        raise Http404


@require_GET
def outbox(request):
    _require_outbox()
    page = Paginator(selectors.outbox_list(), 25).get_page(request.GET.get("pagina"))
    return render(request, "notifications/outbox.html", {"page": page})


@require_GET
def outbox_detail(request, email_id: int):
    _require_outbox()
    email = selectors.outbox_get(email_id=email_id)
    if email is None:
        raise Http404
    return render(request, "notifications/outbox_detail.html", {"email": email})


@require_GET
@xframe_options_sameorigin
def outbox_html(request, email_id: int):
    _require_outbox()
    email = selectors.outbox_get(email_id=email_id)
    if email is None or not email.html_body:
        raise Http404
    response = HttpResponse(email.html_body, content_type="text/html; charset=utf-8")
    # The message's own HTML, shown in a sandboxed frame: no scripts run.
    response["Content-Security-Policy"] = (
        "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    return response
