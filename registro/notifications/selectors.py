from .models import OutboundEmail


def outbox_list():
    return OutboundEmail.objects.order_by("-created_at", "-id")


def outbox_get(*, email_id: int) -> OutboundEmail | None:
    return OutboundEmail.objects.filter(pk=email_id).first()
