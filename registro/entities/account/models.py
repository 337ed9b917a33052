from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registro.accounts.models import DocumentType
from registro.core.models import ClasificacionEntidad, CodigoUNSPSC, Departamento, Municipio, TipoEmpresa
from registro.core.text import search_key


class AreaNegocio(models.TextChoices):
    PUBLICO = "publico", _("Público")
    PUBLICO_PRIVADO = "publico_privado", _("Público y Privado")
    PRIVADO = "privado", _("Privado")


class TipoCuenta(models.TextChoices):
    """The pre-form's "Tipo" (R3.2, R9.1): the kind of account. An Entidad Estatal that also
    supplies (R4.3) keeps its kind and has `es_proveedor` set."""

    ENTIDAD_ESTATAL = "entidad_estatal", _("Entidad Estatal")
    PROVEEDOR = "proveedor", _("Proveedor")


class TipoOrganizacion(models.TextChoices):
    DECRETO_1082 = "decreto_1082", _("Entidad Estatal (de acuerdo con la definición del Decreto 1082 de 2015)")
    OTRAS = "otras", _("Otras Entidades públicas")


class Entidad(models.Model):
    """An account of the platform, identified by its NIT: a State Entity ("Entidad Estatal", R3) or
    a supplier ("Proveedor", R9). A foreign supplier without a Colombian NIT is identified by its
    country and that country's tax identifier instead."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente de activación")
        REQUIERE_CORRECCION = "requiere_correccion", _("Requiere corrección")
        ACTIVA = "activa", _("Activa")
        RECHAZADA = "rechazada", _("Rechazada")
        SUSPENDIDA = "suspendida", _("Suspendida")

    tipo_cuenta = models.CharField(
        _("Tipo de cuenta"), max_length=20, choices=TipoCuenta.choices, default=TipoCuenta.ENTIDAD_ESTATAL
    )
    nombre = models.CharField(_("Nombre"), max_length=255)
    nombre_busqueda = models.CharField(max_length=255, editable=False, db_index=True)
    nombre_abreviado = models.CharField(_("Nombre Abreviado"), max_length=60, blank=True)
    nit = models.CharField(
        _("NIT"), max_length=15, unique=True, null=True, blank=True, help_text=_("Sin dígito de verificación")
    )
    dv = models.CharField(_("Dígito de verificación"), max_length=1, blank=True)
    pais = models.CharField(_("País"), max_length=2, default="CO")
    id_tributario = models.CharField(
        _("Identificación tributaria del país de origen"),
        max_length=30,
        blank=True,
        help_text=_("Proveedores extranjeros sin NIT colombiano."),
    )
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
        blank=True,
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
    # 10 digits in Colombia; a foreign supplier's number in international form (+ and up to 15 digits).
    telefono = models.CharField(_("Teléfono"), max_length=20, blank=True)
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
            # Every account is identified: by its NIT, or (foreign suppliers) by country and tax id.
            models.CheckConstraint(
                condition=Q(nit__isnull=False)
                | (Q(tipo_cuenta=TipoCuenta.PROVEEDOR) & ~Q(pais="CO") & ~Q(id_tributario="")),
                name="entidad_identificada",
            ),
            models.UniqueConstraint(
                fields=["pais", "id_tributario"], condition=~Q(id_tributario=""), name="entidad_id_tributario_unico"
            ),
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
        if not self.nit:
            return f"{self.pais} {self.id_tributario}"
        return f"{self.nit}-{self.dv}" if self.dv else self.nit

    @property
    def es_entidad_estatal(self) -> bool:
        return self.tipo_cuenta == TipoCuenta.ENTIDAD_ESTATAL

    @property
    def actua_como_proveedor(self) -> bool:
        """A supplier account, or an entity whose supplier profile the desk enabled (R4.3)."""
        return self.tipo_cuenta == TipoCuenta.PROVEEDOR or self.es_proveedor

    @property
    def tipo_label(self) -> str:
        if self.tipo_cuenta == TipoCuenta.PROVEEDOR:
            return str(_("Proveedor"))
        return str(_("Entidad Estatal y Proveedor")) if self.es_proveedor else str(_("Entidad Estatal"))


class EventoEntidad(models.Model):
    """The entity's history: every state change, decision and case event, with who, when, what and
    why. Visible to the service desk and to the entity's administrators."""

    # How the roles, permissions and fields named in `detalle` read; the packages above this one fill
    # these in (membership: roles and permissions; supplier: the profile's fields), so the account's
    # history does not import them.
    LABELS: ClassVar[dict[str, dict[str, str]]] = {"rol": {}, "rol_proveedor": {}, "permiso": {}, "campo": {}}

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
        SUSPENDIDA = "suspendida", _("Cuenta suspendida")
        REACTIVADA = "reactivada", _("Cuenta reactivada")
        PERFIL_EDITADO = "perfil_editado", _("Datos de la cuenta modificados")
        AREAS_EDITADAS = "areas_editadas", _("Áreas de interés modificadas")
        CAMBIO_SOLICITADO = "cambio_solicitado", _("Cambio de NIT o razón social enviado a la Mesa de Servicio")
        CAMBIO_APLICADO = "cambio_aplicado", _("Cambio de NIT o razón social aplicado")
        DOCUMENTO_AGREGADO = "documento_agregado", _("Documento agregado a la biblioteca")
        DOCUMENTO_ACTUALIZADO = "documento_actualizado", _("Documento de la biblioteca modificado")
        DOCUMENTO_RETIRADO = "documento_retirado", _("Documento retirado de la biblioteca")
        # Solicitudes de información: the requesting entity's side and the supplier's.
        SOLICITUD_INFO_CREADA = "solicitud_info_creada", _("Solicitud de información creada")
        SOLICITUD_INFO_INVITACIONES = "solicitud_info_invitaciones", _("Invitaciones a una solicitud de información")
        SOLICITUD_INFO_INVITADA = "solicitud_info_invitada", _("Invitación a una solicitud de información recibida")
        SOLICITUD_INFO_RESPONDIDA = "solicitud_info_respondida", _("Solicitud de información respondida")
        SOLICITUD_INFO_NO_INTERESADO = "solicitud_info_no_interesado", _("Solicitud de información: no interesado")
        SOLICITUD_INFO_PLAZO = "solicitud_info_plazo", _("Plazo de una solicitud de información ampliado")
        SOLICITUD_INFO_CERRADA = "solicitud_info_cerrada", _("Solicitud de información cerrada")
        SOLICITUD_INFO_CANCELADA = "solicitud_info_cancelada", _("Solicitud de información cancelada")

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
        # A supplier account names its non-administrator role "Usuario del Proveedor".
        builtin = self.LABELS["rol_proveedor" if self.entidad.tipo_cuenta == TipoCuenta.PROVEEDOR else "rol"]
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
            labels = self.LABELS["permiso"]
            partes.append(_("permisos: %(p)s") % {"p": ", ".join(str(labels.get(p, p)) for p in d["permisos"])})
        if d.get("campos") and not d.get("cambios"):
            partes.append(_("campos: %(c)s") % {"c": ", ".join(d["campos"])})
        if d.get("agregados"):
            partes.append(_("agregados: %(c)s") % {"c": ", ".join(d["agregados"])})
        if d.get("retirados"):
            partes.append(_("retirados: %(c)s") % {"c": ", ".join(d["retirados"])})
        if d.get("solicitud_titulo"):
            partes.append(f"«{d['solicitud_titulo']}»")
        if d.get("cuenta"):
            partes.append(str(d["cuenta"]))
        return "; ".join(partes)

    @property
    def cambios_legibles(self) -> list[dict[str, str]]:
        """The fields an edit changed, each with its label and its values before and after."""
        labels = self.LABELS["campo"]
        cambios = (self.detalle or {}).get("cambios") or {}
        if not isinstance(cambios, dict):
            return []
        return [
            {
                "campo": name,
                "label": str(labels.get(name, name)),
                "antes": v.get("antes", ""),
                "despues": v.get("despues", ""),
            }
            for name, v in cambios.items()
            if isinstance(v, dict)
        ]

    @property
    def decision_label(self) -> str:
        labels = {"aceptado": _("aceptado"), "rechazado": _("rechazado")}
        return str(labels.get(self.detalle.get("decision", ""), ""))


class TamanoEmpresa(models.TextChoices):
    MICRO = "micro", _("Microempresa")
    PEQUENA = "pequena", _("Pequeña empresa")
    MEDIANA = "mediana", _("Mediana empresa")
    GRANDE = "grande", _("Gran empresa")


class PerfilComercial(models.Model):
    """The commercial profile of an account that supplies (R9.2): a supplier's, or an entity's
    once the desk enables its supplier profile (R4.3). What is saved here is what the directory
    shows. A natural person's own document and contacts are personal data (Ley 1581 de 2012)."""

    entidad = models.OneToOneField(Entidad, primary_key=True, on_delete=models.CASCADE, related_name="perfil")
    persona = models.CharField(_("Persona"), max_length=10, choices=TipoEmpresa.Persona.choices, blank=True)
    tipo_empresa = models.ForeignKey(
        TipoEmpresa, verbose_name=_("Tipo de organización"), null=True, blank=True, on_delete=models.PROTECT
    )
    # A natural person: the account holder.
    nombres = models.CharField(_("Nombres"), max_length=150, blank=True)
    apellidos = models.CharField(_("Apellidos"), max_length=150, blank=True)
    tipo_documento = models.CharField(_("Tipo de documento"), max_length=5, choices=DocumentType.choices, blank=True)
    numero_documento = models.CharField(_("Número de documento"), max_length=20, blank=True)
    direccion = models.CharField(_("Dirección"), max_length=255, blank=True)
    sitio_web = models.URLField(_("Sitio web"), max_length=255, blank=True)
    # A legal person: its legal representative (R9.2).
    representante_nombre = models.CharField(_("Nombre del representante legal"), max_length=255, blank=True)
    representante_tipo_documento = models.CharField(
        _("Tipo de documento del representante legal"), max_length=5, choices=DocumentType.choices, blank=True
    )
    representante_numero_documento = models.CharField(
        _("Número de documento del representante legal"), max_length=20, blank=True
    )
    representante_correo = models.EmailField(_("Correo del representante legal"), blank=True)
    representante_telefono = models.CharField(_("Teléfono del representante legal"), max_length=20, blank=True)
    tamano = models.CharField(_("Tamaño de la empresa"), max_length=10, choices=TamanoEmpresa.choices, blank=True)
    es_mipyme = models.BooleanField(_("Es MiPyme"), default=False)
    # Optional financial information (R9.2), for one fiscal year, in Colombian pesos.
    anio_fiscal = models.PositiveSmallIntegerField(_("Año fiscal"), null=True, blank=True)
    activos = models.DecimalField(_("Activos"), max_digits=18, decimal_places=2, null=True, blank=True)
    pasivos = models.DecimalField(_("Pasivos"), max_digits=18, decimal_places=2, null=True, blank=True)
    patrimonio = models.DecimalField(_("Patrimonio"), max_digits=18, decimal_places=2, null=True, blank=True)
    ingresos_operacionales = models.DecimalField(
        _("Ingresos operacionales"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("perfil comercial")
        verbose_name_plural = _("perfiles comerciales")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(tamano=TamanoEmpresa.GRANDE) & Q(es_mipyme=True)), name="perfil_grande_no_mipyme"
            ),
        ]

    def __str__(self) -> str:
        return f"Perfil comercial de {self.entidad_id}"


class AreaInteres(models.Model):
    """One of an account's "Áreas de interés" (R9.4): a UNSPSC code at the level chosen. `prefijo`
    repeats the code's significant digits so that a search by segment or family is a prefix match
    on this table alone. One of them is the main category ("categoría principal")."""

    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="areas_interes")
    codigo = models.ForeignKey(CodigoUNSPSC, on_delete=models.PROTECT, related_name="+", verbose_name=_("Código"))
    prefijo = models.CharField(max_length=8)
    principal = models.BooleanField(_("Categoría principal"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("área de interés")
        verbose_name_plural = _("áreas de interés")
        ordering = ["-principal", "codigo"]
        constraints = [
            models.UniqueConstraint(fields=["entidad", "codigo"], name="area_interes_unica"),
            models.UniqueConstraint(fields=["entidad"], condition=Q(principal=True), name="area_interes_una_principal"),
        ]
        indexes = [
            models.Index(fields=["prefijo"], name="area_interes_prefijo", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.codigo_id} ({self.entidad_id})"
