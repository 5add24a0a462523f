"""Template helpers of the registry pages: dates of birth and ages (exact or estimated), countries,
relations, the history of a record, and the family graph (inline SVG, no script)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_bidi, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from homecoming.registry.birth import completed_years
from homecoming.registry.choices import BirthDatePrecision, Relation
from homecoming.registry.countries import country_name
from homecoming.registry.selectors import FamilyView

register = template.Library()


@register.filter
def country(code: str) -> str:
    return country_name(code) if code else ""


@register.filter
def relation_label(relation: str) -> str:
    try:
        return str(Relation(relation).label)
    except ValueError:
        return relation


@register.filter
def birth_text(person: Any) -> str:
    """The date of birth as well as it is known: "12 March 2015", "March 2015", "2015",
    "about 2014 (between … and …)", or "unknown"."""
    born = getattr(person, "birth_date", None)
    if born is None:
        return gettext("unknown")
    precision = getattr(person, "birth_date_precision", BirthDatePrecision.EXACT)
    if precision == BirthDatePrecision.MONTH:
        return formats.date_format(born, "YEAR_MONTH_FORMAT")
    if precision == BirthDatePrecision.YEAR:
        return str(born.year)
    if precision == BirthDatePrecision.ESTIMATED:
        low, high = person.birth_date_min, person.birth_date_max
        if low is not None and high is not None:
            # Each date in its own bidirectional isolate: the short date format of Arabic carries
            # right-to-left marks, which scramble the date inside a left-to-right sentence.
            # The sentence is escaped here; the dates are built by format_html.
            return mark_safe(
                conditional_escape(gettext("about %(year)s (between %(earliest)s and %(latest)s)"))
                % {
                    "year": born.year,
                    "earliest": format_html("<bdi>{}</bdi>", formats.date_format(low, "SHORT_DATE_FORMAT")),
                    "latest": format_html("<bdi>{}</bdi>", formats.date_format(high, "SHORT_DATE_FORMAT")),
                }
            )
        return gettext("about %(year)s") % {"year": born.year}
    return formats.date_format(born, "DATE_FORMAT")


@register.filter
def age_text(person: Any) -> str:
    """The age today: "7 years", or "6–8 years" when the date of birth is a range."""  # noqa: RUF002 - an en dash, on purpose
    born = getattr(person, "birth_date", None)
    if born is None:
        return ""
    today = timezone.localdate()
    low = getattr(person, "birth_date_min", None) or born
    high = getattr(person, "birth_date_max", None) or born
    youngest, oldest = completed_years(high, today), completed_years(low, today)
    if youngest == oldest:
        if youngest == 0:
            return gettext("under 1 year")
        return ngettext("%(years)s year", "%(years)s years", youngest) % {"years": youngest}
    return gettext("%(youngest)s–%(oldest)s years") % {"youngest": youngest, "oldest": oldest}  # noqa: RUF001


# --- history ------------------------------------------------------------------------------------

HISTORY_LABELS: dict[str, Any] = {
    "identity": _("identity changed"),
    "name_added": _("name added"),
    "name_changed": _("name corrected"),
    "name_removed": _("name removed"),
    "primary_name_changed": _("primary name changed"),
    "nationality_claimed": _("nationality claimed"),
    "nationality_decided": _("nationality claim decided"),
    "identifier_added": _("identifier added"),
    "identifier_removed": _("identifier removed"),
    "document_added": _("document uploaded"),
    "document_downloaded": _("document downloaded"),
    "family_link_added": _("family link added"),
    "family_link_removed": _("family link removed"),
    "family_group_joined": _("joined a family group"),
    "family_group_left": _("left a family group"),
    "custody_added": _("custody recorded"),
    "custody_changed": _("custody changed"),
}


@register.filter
def history_text(entry: Any) -> str:
    what = (entry.detail or {}).get("what", "")
    if what in HISTORY_LABELS:
        return str(HISTORY_LABELS[what])
    return str(entry.get_action_display())


# --- the family graph -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    x: int
    y: int
    name: str
    label: str
    url: str
    is_self: bool = False


WIDTH, BOX_W, BOX_H, ROW_H, TOP = 760, 168, 46, 92, 16


def _short(text: str, length: int = 24) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


@register.inclusion_tag("registry/_family_graph.html")
def family_graph(family: FamilyView) -> dict[str, Any]:
    """Boxes by generation (grandparents at the top, grandchildren at the bottom) with a line from
    the person to each relative. Mirrored for right-to-left languages."""
    rows = family.by_generation()
    generations = sorted({g for g, _members in rows} | {0})
    first = generations[0]
    height = TOP * 2 + (generations[-1] - first) * ROW_H + BOX_H
    rtl = get_language_bidi()

    def place(index: int, count: int) -> int:
        slot = WIDTH / max(count, 1)
        x = int(slot * index + slot / 2 - BOX_W / 2)
        return WIDTH - x - BOX_W if rtl else x

    def y_of(generation: int) -> int:
        return TOP + (generation - first) * ROW_H

    nodes: list[Node] = []
    self_node: Node | None = None
    for generation in generations:
        members = dict(rows).get(generation, [])
        count = len(members) + (1 if generation == 0 else 0)
        order: list[Any] = list(members)
        if generation == 0:
            order.insert(len(order) // 2, None)  # the person in the middle of their generation
        for index, member in enumerate(order):
            x, y = place(index, count), y_of(generation)
            if member is None:
                self_node = Node(x, y, _short(family.person.display_name), gettext("this person"), "", True)
                nodes.append(self_node)
            else:
                name = member.other.display_name if member.other is not None else gettext("not visible to you")
                url = member.other.get_absolute_url() if member.other is not None else ""
                nodes.append(Node(x, y, _short(name), str(member.relation.label), url))
    assert self_node is not None  # noqa: S101 - generation 0 always holds the person
    lines = [
        (self_node.x + BOX_W // 2, self_node.y + BOX_H // 2, node.x + BOX_W // 2, node.y + BOX_H // 2)
        for node in nodes
        if not node.is_self
    ]
    return {
        "nodes": nodes,
        "lines": lines,
        "width": WIDTH,
        "height": height,
        "box_w": BOX_W,
        "box_h": BOX_H,
        "half": BOX_W // 2,
    }
