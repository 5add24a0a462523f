from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from homecoming.core.access import user_roles
from homecoming.core.navigation import nav_for, nav_menus


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menus": [], "user_roles": []}
    items = nav_for(user, request.path)
    return {
        "nav_items": items,
        "nav_menus": nav_menus(items),
        "user_roles": sorted(r.label for r in user_roles(user)),
        "require_2fa": settings.HOMECOMING_REQUIRE_2FA,
    }
