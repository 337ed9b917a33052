"""Downloading a document through the Directorio: the registration's guard, with the account the
user acts for as the reader (R2.4), then the one download response (`StoredFile.response`). Each
download is recorded. The page and the API call this, nothing else."""

from registro.entities.directory.models import DescargaDocumento
from registro.entities.membership.acting import Acting
from registro.entities.registration import permissions as registration_permissions


def documento_descargar(*, user, acting: Acting, pk: int):
    documento = registration_permissions.downloadable_documento(user, pk, lector=acting.entidad)
    response = documento.response()  # opens the file first: a missing file records nothing
    DescargaDocumento.objects.create(documento=documento, usuario=user, cuenta_actuante=acting.entidad)
    return response
