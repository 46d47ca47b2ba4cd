from mupaka.core.models import Institution
from mupaka.core.permissions import menu_for, menu_sections


def mupaka(request):
    user = getattr(request, "user", None)
    inst = Institution.objects.order_by("id").first()
    menu = menu_for(user) if user is not None and user.is_authenticated else []
    return {
        "institution": inst,
        "business_date": inst.business_date if inst else None,
        "menu": menu,
        "menu_sections": menu_sections(menu),
    }
