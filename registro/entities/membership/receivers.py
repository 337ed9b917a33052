"""Being named Administrador starts the grace to set up a second factor (ADR 0017). Every
appointment saves a Membresia (a registration's first administrator, the desk's designation, a
role change, a reinstated member, an accepted invitation), so the rule hangs on the save."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from registro.accounts import mfa

from .models import Membresia


def _is_admin(membresia) -> bool:
    return bool(membresia and membresia.activa and membresia.rol == Membresia.Rol.ADMINISTRADOR)


@receiver(pre_save, sender=Membresia)
def remember_role(sender, instance, **kwargs):
    before = Membresia.objects.filter(pk=instance.pk).only("rol", "activa").first() if instance.pk else None
    instance._was_admin = _is_admin(before)


@receiver(post_save, sender=Membresia)
def start_grace_when_named_admin(sender, instance, raw=False, **kwargs):
    if raw or not _is_admin(instance) or getattr(instance, "_was_admin", False):
        return
    user = instance.usuario
    already_required = (
        Membresia.objects.filter(usuario=user, activa=True, rol=Membresia.Rol.ADMINISTRADOR)
        .exclude(pk=instance.pk)
        .exists()
    )
    if not already_required:
        mfa.role_granted(user=user)
