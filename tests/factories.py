import factory
from allauth.account.models import EmailAddress

from registro.accounts.models import DocumentType, TermsAcceptance, User
from registro.entities.account.models import AreaNegocio, Entidad, PerfilComercial, TipoCuenta
from registro.entities.membership.models import Membresia
from registro.entities.registration.rules import nit_check_digit

PASSWORD = "Clave#Segura2026"
# The authenticator-app secret the factories give (base32), so a test can compute its codes.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The app's current code, never from the last two seconds of its period: the server checks it
    a moment later and accepts the current period only (allauth's MFA_TOTP_TOLERANCE is 0), so a
    code read at xx:29.99 would be refused at xx:30.01."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < 2:
        time.sleep(left + 0.05)
    return totp.now()


def give_second_factor(user, secret: str = TOTP_SECRET):
    """An authenticator app and recovery codes for `user` (allauth.mfa), as if they had set it up."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    totp = TOTP.activate(user, secret).instance
    RecoveryCodes.activate(user)
    return totp


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"usuario{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@entidad.gov.co")
    first_name = "Ana María"
    last_name = "Pérez Gómez"
    document_type = DocumentType.CEDULA_CIUDADANIA
    document_number = factory.Sequence(lambda n: str(1020300000 + n))
    phone = "3001234567"
    time_zone = "America/Bogota"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        # A superuser counts as the desk, which needs a second factor from the start (ADR 0017).
        if create and (extracted or (extracted is None and obj.is_superuser)):
            give_second_factor(obj)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        # A confirmed user with the current terms accepted, unless told otherwise.
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
            from django.conf import settings

            TermsAcceptance.objects.create(user=obj, version=settings.TERMS_VERSION)


class EntidadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entidad

    nombre = factory.Sequence(lambda n: f"ALCALDIA MUNICIPAL DE PRUEBA {n}")
    nit = factory.Sequence(lambda n: str(890000000 + n))
    dv = factory.LazyAttribute(lambda o: nit_check_digit(o.nit))
    correo_notificaciones = "contratacion@entidad.gov.co"


class PerfilComercialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerfilComercial

    persona = "juridica"
    direccion = "Carrera 7 # 71-21"
    representante_nombre = "MARIA FERNANDA ROJAS"


class ProveedorFactory(EntidadFactory):
    """An active supplier account (tipo_cuenta proveedor) with its commercial profile."""

    class Meta:
        skip_postgeneration_save = True

    nombre = factory.Sequence(lambda n: f"PROVEEDOR DE PRUEBA {n} SAS")
    tipo_cuenta = TipoCuenta.PROVEEDOR
    area_negocio = AreaNegocio.PRIVADO
    tipo_organizacion = ""
    estado = Entidad.Estado.ACTIVA
    correo_notificaciones = "ventas@proveedor.com.co"
    perfil = factory.RelatedFactory(PerfilComercialFactory, factory_related_name="entidad")


# The two kinds of account, for tests that hold for both (the membership code is the same, ADR 0013).
ACCOUNT_KINDS = [TipoCuenta.ENTIDAD_ESTATAL.value, TipoCuenta.PROVEEDOR.value]


def account_factory(kind: str, **kwargs) -> Entidad:
    """An account of `kind` ("entidad_estatal" or "proveedor"), active unless told otherwise."""
    kwargs.setdefault("estado", Entidad.Estado.ACTIVA)
    return (ProveedorFactory if kind == TipoCuenta.PROVEEDOR else EntidadFactory)(**kwargs)


# How the role that is not Administrador reads in each kind of account.
NON_ADMIN_LABEL = {TipoCuenta.ENTIDAD_ESTATAL.value: "Comprador", TipoCuenta.PROVEEDOR.value: "Usuario del Proveedor"}


class MembresiaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membresia

    usuario = factory.SubFactory(UserFactory)
    entidad = factory.SubFactory(EntidadFactory)
    rol = Membresia.Rol.ADMINISTRADOR


class DeskUserFactory(UserFactory):
    """A Mesa de Servicio member, with an authenticator app: the desk needs a second factor from the
    start (ADR 0017). `DeskUserFactory(second_factor=False)` for one who has not set it up."""

    is_staff = True

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            give_second_factor(obj)

    @factory.post_generation
    def desk_group(obj, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            from registro.accounts.permissions import SERVICE_DESK_GROUP

            obj.groups.add(Group.objects.get_or_create(name=SERVICE_DESK_GROUP)[0])
