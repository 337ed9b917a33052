from ninja import Schema


class EntidadSearchOut(Schema):
    nombre: str
    nit: str
    estado: str
    estado_label: str

    @staticmethod
    def resolve_estado_label(obj) -> str:
        return obj.get_estado_display()
