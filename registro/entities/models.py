import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from registro.core.models import ClasificacionEntidad, Departamento, Municipio
from registro.core.text import search_key

from .catalogue import Permiso


class AreaNegocio(models.TextChoices):
    PUBLICO = "publico", _("Público")
    PUBLICO_PRIVADO = "publico_privado", _("Público y Privado")


class TipoOrganizacion(models.TextChoices):
    DECRETO_1082 = "decreto_1082", _("Entidad Estatal (de acuerdo con la definición del Decreto 1082 de 2015)")
    OTRAS = "otras", _("Otras Entidades públicas")


class Entidad(models.Model):
    """A State Entity account ("Entidad Estatal"), identified by its NIT (R3)."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente de activación")
        REQUIERE_CORRECCION = "requiere_correccion", _("Requiere corrección")
        ACTIVA = "activa", _("Activa")
        RECHAZADA = "rechazada", _("Rechazada")

    nombre = models.CharField(_("Nombre de la Entidad Estatal"), max_length=255)
    nombre_busqueda = models.CharField(max_length=255, editable=False, db_index=True)
    nombre_abreviado = models.CharField(_("Nombre Abreviado"), max_length=60, blank=True)
    nit = models.CharField(_("NIT"), max_length=15, unique=True, help_text=_("Sin dígito de verificación"))
    dv = models.CharField(_("Dígito de verificación"), max_length=1, blank=True)
    pais = models.CharField(_("País"), max_length=2, default="CO")
    registrada_siif = models.BooleanField(_("Registrada en SIIF"), default=False)
    codigo_pci = models.CharField(_("Código PCI"), max_length=20, blank=True)
    area_negocio = models.CharField(
        _("Área de negocio de la Entidad"), max_length=20, choices=AreaNegocio.choices, default=AreaNegocio.PUBLICO
    )
    tipo_organizacion = models.CharField(
        _("Tipo de organización"),
        max_length=20,
        choices=TipoOrganizacion.choices,
        default=TipoOrganizacion.DECRETO_1082,
    )
    orden = models.ForeignKey(
        ClasificacionEntidad, verbose_name=_("Orden"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    rama = models.ForeignKey(
        ClasificacionEntidad, verbose_name=_("Rama"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    sector = models.ForeignKey(
        ClasificacionEntidad, verbose_name=_("Sector"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    tipo_entidad = models.ForeignKey(
        ClasificacionEntidad, verbose_name=_("Tipo de Entidad"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    entidad_superior = models.ForeignKey(
        "self",
        verbose_name=_("Entidad de la que depende"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dependientes",
    )
    departamento = models.ForeignKey(Departamento, verbose_name=_("Departamento"), null=True, on_delete=models.PROTECT)
    municipio = models.ForeignKey(Municipio, verbose_name=_("Municipio"), null=True, on_delete=models.PROTECT)
    telefono = models.CharField(_("Teléfono"), max_length=10, blank=True)
    correo_notificaciones = models.EmailField(_("Correo electrónico para notificaciones SECOP II"), blank=True)
    ordenador_delegado = models.BooleanField(_("La ordenación del gasto está delegada"), default=False)
    es_proveedor = models.BooleanField(_("También actúa como Proveedor"), default=False)
    estado = models.CharField(_("Estado"), max_length=20, choices=Estado.choices, default=Estado.PENDIENTE)
    creada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="entidades_creadas"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activada_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Entidad Estatal")
        verbose_name_plural = _("Entidades Estatales")
        ordering = ["nombre"]
        constraints = [
            models.CheckConstraint(condition=Q(nit__regex=r"^[0-9]{5,15}$"), name="entidad_nit_digits"),
            models.CheckConstraint(
                condition=~Q(entidad_superior=models.F("id")), name="entidad_no_depende_de_si_misma"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nombre} ({self.nit_con_dv})"

    def save(self, *args, **kwargs):
        self.nombre_busqueda = search_key(self.nombre)
        super().save(*args, **kwargs)

    @property
    def nit_con_dv(self) -> str:
        return f"{self.nit}-{self.dv}" if self.dv else self.nit


class RolEntidad(models.Model):
    """A role an entity's administrators define (R7.1): a name and permissions from the catalogue
    (`catalogue.Permiso`). Given to members on top of their built-in role."""

    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="roles")
    nombre = models.CharField(_("Nombre del rol"), max_length=80)
    descripcion = models.CharField(_("Descripción"), max_length=300, blank=True)
    permisos = models.JSONField(_("Permisos"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rol")
        verbose_name_plural = _("roles")
        ordering = ["nombre"]
        constraints = [
            models.UniqueConstraint("entidad", Lower("nombre"), name="rol_nombre_unico_por_entidad"),
        ]

    def __str__(self) -> str:
        return self.nombre

    @property
    def permisos_labels(self) -> list[str]:
        labels = dict(Permiso.choices)
        return [str(labels[p]) for p in Permiso.values if p in self.permisos]


class Membresia(models.Model):
    """A user's place in an entity account (R1.1): a built-in role, Administrador or Comprador, plus
    any roles the entity defined. `seleccionada_at` marks the entity the user last chose to act for
    (R1.2)."""

    class Rol(models.TextChoices):
        ADMINISTRADOR = "administrador", _("Administrador")
        COMPRADOR = "comprador", _("Comprador")

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membresias")
    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="membresias")
    rol = models.CharField(_("Rol"), max_length=20, choices=Rol.choices)
    roles = models.ManyToManyField(
        "entities.RolEntidad", verbose_name=_("Roles adicionales"), blank=True, related_name="membresias"
    )
    activa = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    seleccionada_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membresía")
        verbose_name_plural = _("membresías")
        constraints = [models.UniqueConstraint(fields=["usuario", "entidad"], name="membresia_usuario_entidad_unique")]

    def __str__(self) -> str:
        return f"{self.usuario_id} → {self.entidad_id} ({self.rol})"


class RegistroEntidad(models.Model):
    """An entity registration in progress (R3.8 "Beyond"): everything typed and attached is kept
    here, valid or not, until "Finalizar" creates the Entidad. It survives errors and logouts."""

    class Estado(models.TextChoices):
        BORRADOR = "borrador", _("Borrador")
        FINALIZADO = "finalizado", _("Finalizado")

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registros_entidad")
    datos = models.JSONField(default=dict, blank=True)
    estado = models.CharField(max_length=20, choices=Estado.choices, default=Estado.BORRADOR)
    entidad = models.OneToOneField(Entidad, null=True, blank=True, on_delete=models.SET_NULL, related_name="registro")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registro de Entidad")
        verbose_name_plural = _("registros de Entidades")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.datos.get("nombre") or f"Registro {self.pk}"


def documento_path(instance: "Documento", filename: str) -> str:
    # Random names on disk: the original name is kept in the row, never trusted as a path.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documentos/{instance.subido_en:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Documento(models.Model):
    """A legal document of an entity (R2). Belongs to a registration in progress or to the entity;
    a replaced one stays as an earlier version."""

    class Tipo(models.TextChoices):
        ACTO_ESTRUCTURA = "acto_estructura", _("Último acto de estructura y organización")
        ACTA_POSESION_ORDENADOR = "acta_posesion_ordenador", _("Acta de posesión del ordenador del gasto")
        ACTO_DELEGACION = "acto_delegacion", _("Acto de delegación de la ordenación del gasto")
        ACTA_POSESION_DELEGADO = "acta_posesion_delegado", _("Acta de posesión del delegado")
        AUTORIZACION_ADMINISTRADOR = "autorizacion_administrador", _("Autorización del Usuario Administrador")
        RUT = "rut", _("Registro Único Tributario (RUT)")
        CERTIFICADO_EXISTENCIA = "certificado_existencia", _("Certificado de existencia y representación legal")

    registro = models.ForeignKey(
        RegistroEntidad, null=True, blank=True, on_delete=models.CASCADE, related_name="documentos"
    )
    entidad = models.ForeignKey(Entidad, null=True, blank=True, on_delete=models.CASCADE, related_name="documentos")
    tipo = models.CharField(_("Tipo de documento"), max_length=40, choices=Tipo.choices)
    archivo = models.FileField(upload_to=documento_path, max_length=255)
    nombre_original = models.CharField(_("Nombre del archivo"), max_length=200)
    tamano = models.PositiveBigIntegerField(_("Tamaño (bytes)"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    fecha_expedicion = models.DateField(_("Fecha de expedición"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    vigente = models.BooleanField(default=True)
    subido_por = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    subido_en = models.DateTimeField()

    class Meta:
        verbose_name = _("documento")
        verbose_name_plural = _("documentos")
        ordering = ["tipo", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registro__isnull=False) | Q(entidad__isnull=False), name="documento_tiene_dueno"
            ),
            models.UniqueConstraint(
                fields=["registro", "tipo"],
                condition=Q(vigente=True, entidad__isnull=True),
                name="documento_vigente_registro",
            ),
            models.UniqueConstraint(
                fields=["entidad", "tipo"],
                condition=Q(vigente=True, entidad__isnull=False),
                name="documento_vigente_entidad",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} v{self.version}: {self.nombre_original}"


class EventoEntidad(models.Model):
    """The entity's history: every state change, decision and case event, with who, when, what and
    why. Visible to the service desk and to the entity's administrators."""

    class Tipo(models.TextChoices):
        REGISTRADA = "registrada", _("Cuenta registrada")
        CASO_ABIERTO = "caso_abierto", _("Caso abierto")
        REVISION_INICIADA = "revision_iniciada", _("Revisión iniciada")
        DOCUMENTO_REVISADO = "documento_revisado", _("Documento revisado")
        CORRECCION_SOLICITADA = "correccion_solicitada", _("Corrección solicitada")
        DOCUMENTO_REEMPLAZADO = "documento_reemplazado", _("Documento reemplazado")
        DATOS_CORREGIDOS = "datos_corregidos", _("Datos corregidos")
        REENVIADA = "reenviada", _("Enviada de nuevo a revisión")
        ACTIVADA = "activada", _("Cuenta activada")
        RECHAZADA = "rechazada", _("Registro rechazado")
        PERFIL_PROVEEDOR = "perfil_proveedor", _("Perfil de Proveedor habilitado")
        ACCESO_SOLICITADO = "acceso_solicitado", _("Acceso solicitado")
        ACCESO_APROBADO = "acceso_aprobado", _("Acceso aprobado")
        ACCESO_RECHAZADO = "acceso_rechazado", _("Acceso rechazado")
        ROL_CAMBIADO = "rol_cambiado", _("Rol de un usuario cambiado")
        MIEMBRO_SUSPENDIDO = "miembro_suspendido", _("Usuario suspendido")
        MIEMBRO_REACTIVADO = "miembro_reactivado", _("Usuario reactivado")
        MIEMBRO_RETIRADO = "miembro_retirado", _("Usuario retirado de la Entidad")
        MENSAJE = "mensaje", _("Mensaje en el caso")
        ADMINISTRADOR_DESIGNADO = "administrador_designado", _("Administrador designado por la Mesa de Servicio")
        SOLICITUD_CANCELADA = "solicitud_cancelada", _("Solicitud de acceso cancelada")
        ROLES_ASIGNADOS = "roles_asignados", _("Roles de un usuario asignados")
        ROL_CREADO = "rol_creado", _("Rol creado")
        ROL_EDITADO = "rol_editado", _("Rol modificado")
        ROL_ELIMINADO = "rol_eliminado", _("Rol eliminado")
        INVITACION_ENVIADA = "invitacion_enviada", _("Invitación enviada")
        INVITACION_REENVIADA = "invitacion_reenviada", _("Invitación reenviada")
        INVITACION_CANCELADA = "invitacion_cancelada", _("Invitación cancelada")
        INVITACION_ACEPTADA = "invitacion_aceptada", _("Invitación aceptada")
        UNIDAD_CREADA = "unidad_creada", _("Unidad de contratación creada")
        UNIDAD_EDITADA = "unidad_editada", _("Unidad de contratación modificada")
        UNIDAD_ELIMINADA = "unidad_eliminada", _("Unidad de contratación eliminada")

    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="eventos")
    tipo = models.CharField(_("Evento"), max_length=40, choices=Tipo.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    estado_anterior = models.CharField(max_length=20, blank=True)
    estado_nuevo = models.CharField(max_length=20, blank=True)
    motivo = models.TextField(_("Motivo"), blank=True)
    detalle = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("Fecha y hora"), auto_now_add=True)

    class Meta:
        verbose_name = _("evento de la Entidad")
        verbose_name_plural = _("eventos de la Entidad")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["entidad", "-created_at"], name="eventoentidad_recent")]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} ({self.entidad_id})"

    @property
    def estado_anterior_label(self) -> str:
        return Entidad.Estado(self.estado_anterior).label if self.estado_anterior else ""

    @property
    def estado_nuevo_label(self) -> str:
        return Entidad.Estado(self.estado_nuevo).label if self.estado_nuevo else ""

    @property
    def resumen(self) -> str:
        """What the event was about, in words: who, which role, address, unit or fields."""
        d = self.detalle or {}
        builtin = dict(Membresia.Rol.choices)
        partes = []
        if d.get("usuario"):
            partes.append(str(d["usuario"]))
        if d.get("correo"):
            partes.append(str(d["correo"]))
        if d.get("rol_anterior") and d.get("rol"):
            partes.append(f"{builtin.get(d['rol_anterior'], d['rol_anterior'])} → {builtin.get(d['rol'], d['rol'])}")
        elif d.get("rol"):
            partes.append(str(builtin.get(d["rol"], d["rol"])))
        if "roles" in d and self.tipo == self.Tipo.ROLES_ASIGNADOS:
            partes.append(_("roles: %(r)s") % {"r": ", ".join(d["roles"]) or _("ninguno")})
        elif d.get("roles"):
            partes.append(", ".join(d["roles"]))
        if d.get("unidad"):
            partes.append(str(d["unidad"]))
        if d.get("usuarios") and self.tipo != self.Tipo.ROL_ELIMINADO:
            partes.append(_("usuarios: %(u)s") % {"u": ", ".join(d["usuarios"])})
        if d.get("permisos"):
            labels = dict(Permiso.choices)
            partes.append(_("permisos: %(p)s") % {"p": ", ".join(str(labels.get(p, p)) for p in d["permisos"])})
        if d.get("campos"):
            partes.append(_("campos: %(c)s") % {"c": ", ".join(d["campos"])})
        return "; ".join(partes)

    @property
    def decision_label(self) -> str:
        labels = {"aceptado": _("aceptado"), "rechazado": _("rechazado")}
        return str(labels.get(self.detalle.get("decision", ""), ""))


class SolicitudAcceso(models.Model):
    """A buyer's request to act for an entity (R5.1–R5.3), decided by its administrators."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Esperando aprobación")
        APROBADA = "aprobada", _("Aprobada")
        RECHAZADA = "rechazada", _("Rechazada")
        CANCELADA = "cancelada", _("Cancelada")

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solicitudes_acceso")
    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="solicitudes_acceso")
    mensaje = models.TextField(_("Mensaje para los administradores"), max_length=1000, blank=True)
    estado = models.CharField(_("Estado"), max_length=20, choices=Estado.choices, default=Estado.PENDIENTE)
    motivo = models.TextField(_("Motivo"), max_length=1000, blank=True)
    decidida_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Solicitada el"), auto_now_add=True)
    decided_at = models.DateTimeField(_("Decidida el"), null=True, blank=True)

    class Meta:
        verbose_name = _("solicitud de acceso")
        verbose_name_plural = _("solicitudes de acceso")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["usuario", "entidad"], condition=Q(estado="pendiente"), name="solicitud_pendiente_unica"
            )
        ]

    def __str__(self) -> str:
        return f"{self.usuario_id} → {self.entidad_id} ({self.estado})"


class Invitacion(models.Model):
    """An administrator's invitation to join the entity, sent by e-mail (R7.1). The link carries a
    random token; only its SHA-256 is stored. It expires, and re-sending issues a new link."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente")
        ACEPTADA = "aceptada", _("Aceptada")
        CANCELADA = "cancelada", _("Cancelada")

    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="invitaciones")
    correo = models.EmailField(_("Correo electrónico"))
    rol = models.CharField(_("Rol"), max_length=20, choices=Membresia.Rol.choices, default=Membresia.Rol.COMPRADOR)
    roles = models.ManyToManyField(RolEntidad, verbose_name=_("Roles adicionales"), blank=True, related_name="+")
    mensaje = models.TextField(_("Mensaje"), max_length=1000, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    estado = models.CharField(_("Estado"), max_length=20, choices=Estado.choices, default=Estado.PENDIENTE)
    invitada_por = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    envios = models.PositiveSmallIntegerField(_("Envíos"), default=1)
    created_at = models.DateTimeField(_("Creada el"), auto_now_add=True)
    enviada_at = models.DateTimeField(_("Enviada el"))
    vence_at = models.DateTimeField(_("Vence el"))
    aceptada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decidida_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitación")
        verbose_name_plural = _("invitaciones")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "entidad", Lower("correo"), condition=Q(estado="pendiente"), name="invitacion_pendiente_unica"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.correo} → {self.entidad_id} ({self.estado})"

    @property
    def vencida(self) -> bool:
        from django.utils import timezone

        return self.estado == self.Estado.PENDIENTE and self.vence_at <= timezone.now()

    @property
    def estado_label(self) -> str:
        return str(_("Vencida")) if self.vencida else self.get_estado_display()


class UnidadContratacion(models.Model):
    """A purchasing unit ("unidad de contratación", R7.1): how the entity organises who carries out
    its procurement processes."""

    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="unidades")
    nombre = models.CharField(_("Nombre de la unidad"), max_length=120)
    descripcion = models.TextField(_("Descripción"), max_length=1000, blank=True)
    miembros = models.ManyToManyField(Membresia, verbose_name=_("Usuarios"), blank=True, related_name="unidades")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unidad de contratación")
        verbose_name_plural = _("unidades de contratación")
        ordering = ["nombre"]
        constraints = [
            models.UniqueConstraint("entidad", Lower("nombre"), name="unidad_nombre_unico_por_entidad"),
        ]

    def __str__(self) -> str:
        return self.nombre
