"""Pictures for the home page, as self-contained SVG: the model as a diagram, and a timeline.

Both are drawn from the data, not by hand: the diagram's boxes count the instances of each part of the model and its
arrows are the links the data actually makes between them (grouped, most used property named); the timeline places
every dated agreement, session and event at its date, at its precision (a day is a dot, a month or a year a bar).
Each box and mark links to its page. Only the layout of the diagram's boxes is chosen here, on a grid; arrows
bend around boxes they would cross.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import escape

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS

from jpmg import config
from jpmg.publish.model import SiteModel

SCHEMA = "https://schema.org/"
#: Links the diagram does not draw: evidence (a note says so), loose relations and types.
SKIPPED = (RDF.type, PROV.wasDerivedFrom, RDFS.seeAlso, DCTERMS.relation, DCTERMS.references, DCTERMS.source)


@dataclass(frozen=True)
class Box:
    """A part of the model: a name, the classes it gathers, where it sits on the grid, the class its link shows."""

    key: str
    title: str
    classes: tuple[str, ...]
    column: int
    row: int
    anchor: str


_J = config.ONTOLOGY_NS
BOXES = (
    Box(
        "event",
        "Event (founding, ...)",
        (
            _J + "FoundingEvent",
            _J + "SuspensionEvent",
            _J + "ResumptionEvent",
            _J + "Designation",
            _J + "CooperationEvent",
        ),
        0,
        0,
        "FoundingEvent",
    ),
    Box("agreement", "Agreement", (_J + "Agreement",), 1, 0, "Agreement"),
    Box("signing", "Signing", (_J + "Signing",), 2, 0, "Signing"),
    Box("person", "Person", (str(FOAF.Person),), 3, 0, "Tenure"),
    Box("source", "Source", (_J + "Source",), 4, 0, "Source"),
    Box("cadence", "Stated cadence", (_J + "Cadence",), 0, 1, "Cadence"),
    Box("forum", "Bilateral forum", (_J + "BilateralForum",), 1, 1, "BilateralForum"),
    Box("session", "Session", (_J + "Session",), 2, 1, "Session"),
    Box("delegation", "Delegation", (_J + "Delegation",), 3, 1, "Delegation"),
    Box("claim", "Claim, conflict", (_J + "Claim", _J + "SourceConflict"), 4, 1, "Claim"),
    Box("topic", "Topic (SKOS concept)", (str(SKOS.Concept), str(SKOS.ConceptScheme)), 0, 2, "Session"),
    Box("place", "Place", (SCHEMA + "City",), 1, 3, "Session"),
    Box("state", "State", (_J + "State",), 1, 2, "State"),
    Box("tenure", "Tenure", (_J + "Tenure",), 3, 2, "Tenure"),
    Box("publisher", "Publisher", (SCHEMA + "Organization",), 4, 2, "Source"),
    Box(
        "organization",
        "Body, bureau, forces",
        (_J + "GovernmentBody", _J + "Bureau", _J + "ArmedForces", _J + "Administration", str(ORG.OrganizationalUnit)),
        2,
        3,
        "GovernmentBody",
    ),
    Box("post", "Post (office, seat)", (str(ORG.Post),), 3, 3, "CoChairSeat"),
    Box("law", "Law", (SCHEMA + "Legislation",), 0, 3, "Designation"),
)

BOX_W, BOX_H, STEP_X, STEP_Y, MARGIN = 150, 46, 246, 132, 24


def _box_of(model: SiteModel) -> dict[URIRef, Box]:
    """Each resource's box, by its most specific class (through the ontology's subclasses)."""
    by_class = {cls: box for box in BOXES for cls in box.classes}
    found: dict[URIRef, Box] = {}
    for resource in model.resources:
        for cls in [model.primary_class(resource), *model.types(resource)]:
            if cls is None:
                continue
            for candidate in [str(cls), *sorted(str(s) for s in model.superclasses.get(cls, ()))]:
                if candidate in by_class:
                    found[resource] = by_class[candidate]
                    break
            if resource in found:
                break
    return found


def _center(box: Box) -> tuple[float, float]:
    return MARGIN + box.column * STEP_X + BOX_W / 2, MARGIN + box.row * STEP_Y + BOX_H / 2


def _short(iri: URIRef, model: SiteModel) -> str:
    text = str(iri)
    if text.startswith(_J):
        return model.label(iri)
    return model.label(iri) if ":" in model.label(iri) else text.rsplit("/", 1)[-1]


def _crosses(points: list[tuple[float, float]], boxes: list[Box], ends: set[str]) -> bool:
    for box in boxes:
        if box.key in ends:
            continue
        x0, y0 = MARGIN + box.column * STEP_X - 6, MARGIN + box.row * STEP_Y - 6
        if any(x0 <= x <= x0 + BOX_W + 12 and y0 <= y <= y0 + BOX_H + 12 for x, y in points):
            return True
    return False


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _border_point(box: Box, toward: tuple[float, float]) -> tuple[float, float]:
    cx, cy = _center(box)
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((BOX_W / 2 + 3) / abs(dx) if dx else math.inf, (BOX_H / 2 + 3) / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def model_svg(model: SiteModel, page_root: str = "") -> str:
    """The model diagram: one box a part of the model with its instance count, one arrow a kind of link."""
    box_of = _box_of(model)
    counts = Counter(box.key for box in box_of.values())
    links: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for s, p, o in model.data:
        if p in SKIPPED or not isinstance(o, URIRef):
            continue
        root, path = model.owner(s)
        if root is None or (path and path[0] == PROV.qualifiedDerivation):
            continue
        a, b = box_of.get(root), box_of.get(o)
        if a is None or b is None or a.key == b.key or a.key == "claim":
            continue
        links[(a.key, b.key)][p] += 1
    # one arrow a pair of boxes, in the direction most links take; links used only once by a borrowed property
    # (not the project's own) are left out to keep the picture readable
    merged: dict[tuple[str, str], Counter] = {}
    for (a_key, b_key), properties in sorted(links.items()):
        reverse = links.get((b_key, a_key), Counter())
        if sum(reverse.values()) > sum(properties.values()) or (
            sum(reverse.values()) == sum(properties.values()) and b_key < a_key
        ):
            continue
        main = max(properties.items(), key=lambda item: (item[1], str(item[0])))[0]
        if sum(properties.values()) < 4 and not str(main).startswith((_J, str(ORG))):
            continue
        merged[(a_key, b_key)] = properties
    links = merged
    boxes = [box for box in BOXES if counts[box.key]]
    by_key = {box.key: box for box in boxes}
    width = MARGIN * 2 + 4 * STEP_X + BOX_W
    height = MARGIN * 2 + 3 * STEP_Y + BOX_H + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="diagram" role="img" '
        'aria-labelledby="model-title">',
        '<title id="model-title">The model: the parts of the knowledge graph and how the data links them</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>',
    ]
    edge_labels = []
    taken = [
        (
            MARGIN + b.column * STEP_X - 2,
            MARGIN + b.row * STEP_Y - 2,
            MARGIN + b.column * STEP_X + BOX_W + 2,
            MARGIN + b.row * STEP_Y + BOX_H + 2,
        )
        for b in boxes
    ]
    for (a_key, b_key), properties in sorted(links.items()):
        if a_key not in by_key or b_key not in by_key:
            continue
        a, b = by_key[a_key], by_key[b_key]
        (ax, ay), (bx, by) = _center(a), _center(b)
        mx, my = (ax + bx) / 2, (ay + by) / 2
        length = math.hypot(bx - ax, by - ay) or 1
        nx, ny = -(by - ay) / length, (bx - ax) / length
        control = (mx, my)
        for offset in (0, 36, -36, 72, -72, 110, -110):
            cxp, cyp = mx + nx * offset, my + ny * offset
            points = [
                (
                    (1 - t) ** 2 * ax + 2 * (1 - t) * t * cxp + t**2 * bx,
                    (1 - t) ** 2 * ay + 2 * (1 - t) * t * cyp + t**2 * by,
                )
                for t in (i / 40 for i in range(41))
            ]
            if not _crosses(points, boxes, {a_key, b_key}):
                control = (cxp, cyp)
                break
        start = _border_point(a, control)
        end = _border_point(b, control)
        names = [_short(p, model) for p, _ in sorted(properties.items(), key=lambda item: (-item[1], str(item[0])))]
        label = names[0]
        total = sum(properties.values())
        out.append(
            f'<path class="edge" d="M{start[0]:.1f},{start[1]:.1f} Q{control[0]:.1f},{control[1]:.1f} '
            f'{end[0]:.1f},{end[1]:.1f}" marker-end="url(#arrow)"><title>{escape(a.title)} → {escape(b.title)}: '
            f"{escape(', '.join(names))} ({total} links)</title></path>"
        )
        half = 2.7 * len(label) + 3
        for t in (0.5, 0.38, 0.62, 0.28, 0.72):
            lx = (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0]
            ly = (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1]
            rect = (lx - half, ly - 8, lx + half, ly + 6)
            if not any(_overlap(rect, other) for other in taken):
                taken.append(rect)
                edge_labels.append(f'<text class="edge-label" x="{lx:.1f}" y="{ly + 3:.1f}">{escape(label)}</text>')
                break
    out += edge_labels
    for box in boxes:
        x, y = MARGIN + box.column * STEP_X, MARGIN + box.row * STEP_Y
        cx = x + BOX_W / 2
        out.append(
            f'<a href="{page_root}ontology.html#{box.anchor}"><g class="box box-{box.key}">'
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6"/>'
            f'<text class="box-title" x="{cx}" y="{y + 19}">{escape(box.title)}</text>'
            f'<text class="box-count" x="{cx}" y="{y + 36}">{counts[box.key]} in the data</text></g></a>'
        )
    out.append(
        f'<text class="note" x="{MARGIN}" y="{height - 26}">Not drawn: the evidence every box but Topic and '
        "Publisher carries (prov:qualifiedDerivation → a derivation naming the Source, the fact-sheet row and a "
        "confidence),</text>"
    )
    out.append(
        f'<text class="note" x="{MARGIN}" y="{height - 12}">the claims about any box (jpmg:about), and loose '
        "relations (dcterms:relation, rdfs:seeAlso).</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------------------------
# The timeline
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    resource: URIRef
    label: str
    date: str
    lane: str


_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _span(date: str) -> tuple[float, float] | None:
    """The date's interval in fractional years (a year is a year long, a month a month, a day a day)."""
    match = _DATE.fullmatch(date)
    if match is None:
        return None
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    if month is None:
        return year, year + 1
    start = year + (int(month) - 1) / 12
    if day is None:
        return start, start + 1 / 12
    start += (int(day) - 1) / 365
    return start, start + 1 / 365


def timeline_marks(model: SiteModel) -> tuple[list[Mark], list[Mark]]:
    """The marks to draw (by lane) and those whose year no source gives."""
    forum_lane: dict[URIRef, str] = {}
    marks, undated = [], []
    agreement = URIRef(_J + "Agreement")
    session = URIRef(_J + "Session")
    for resource in model.resources:
        date = model.data.value(resource, URIRef(_J + "date"))
        if not isinstance(date, Literal):
            continue
        classes = {model.primary_class(resource), *model.types(resource)}
        supers = {s for c in classes if c is not None for s in model.superclasses.get(c, ())} | classes
        if agreement in supers:
            lane = "Agreements"
        elif session in supers:
            forum = model.data.value(resource, URIRef(_J + "sessionOf"))
            if forum not in forum_lane:
                alt = sorted(str(a) for a in model.data.objects(forum, SKOS.altLabel) if len(str(a)) <= 12)
                forum_lane[forum] = "Sessions: " + (alt[0] if alt else model.label(forum))
            lane = forum_lane[forum]
        elif URIRef(_J + "Signing") in supers:
            continue  # a signing shares its agreement's date
        else:
            lane = "Foundings, suspensions, other events"
        mark = Mark(resource, model.label(resource), str(date), lane)
        (marks if _span(str(date)) else undated).append(mark)
    return sorted(marks, key=lambda m: (m.date, str(m.resource))), sorted(undated, key=lambda m: str(m.resource))


def timeline_svg(model: SiteModel, page_root: str = "") -> str:
    """Every dated agreement, session and event on one time axis, a lane per kind (sessions a lane per forum)."""
    marks, _ = timeline_marks(model)
    lanes = sorted(
        {m.lane for m in marks},
        key=lambda lane: (not lane.startswith("Agreements"), lane.startswith("Foundings"), lane),
    )
    spans = [_span(m.date) for m in marks]
    first = int(min(s[0] for s in spans if s)) // 5 * 5
    last = (int(max(s[1] for s in spans if s)) // 5 + 1) * 5
    left, right, top, lane_h = 270, 20, 28, 30
    width = 980
    plot = width - left - right
    height = top + lane_h * len(lanes) + 34

    def x(year: float) -> float:
        return left + (year - first) / (last - first) * plot

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="timeline" role="img" '
        'aria-labelledby="timeline-title">',
        f'<title id="timeline-title">Timeline of the agreements, sessions and events, {first}–{last}</title>',
    ]
    for index, lane in enumerate(lanes):
        y = top + index * lane_h
        out.append(f'<rect class="lane lane-{index % 2}" x="{left}" y="{y}" width="{plot}" height="{lane_h}"/>')
        out.append(f'<text class="lane-label" x="{left - 8}" y="{y + lane_h / 2 + 4}">{escape(lane)}</text>')
    axis_y = top + lane_h * len(lanes)
    for year in range(first, last + 1, 5):
        out.append(f'<line class="tick" x1="{x(year):.1f}" y1="{top}" x2="{x(year):.1f}" y2="{axis_y + 5}"/>')
        out.append(f'<text class="tick-label" x="{x(year):.1f}" y="{axis_y + 18}">{year}</text>')
    for mark in marks:
        start, end = _span(mark.date)  # type: ignore[misc]
        y = top + lanes.index(mark.lane) * lane_h + lane_h / 2
        href = page_root + str(mark.resource)[len(config.BASE_IRI) :] + ".html"
        title = f"<title>{escape(mark.date)}: {escape(mark.label)}</title>"
        if end - start < 1 / 12 - 1e-9:
            shape = f'<circle class="mark day" cx="{x(start):.1f}" cy="{y:.1f}" r="5"/>'
        else:
            w = max(x(end) - x(start), 4)
            shape = (
                f'<rect class="mark {"month" if end - start < 0.5 else "year"}" x="{x(start):.1f}" y="{y - 6:.1f}" '
                f'width="{w:.1f}" height="12" rx="3"/>'
            )
        out.append(f'<a href="{escape(href)}">{title}{shape}</a>')
    out.append("</svg>")
    return "\n".join(out)
