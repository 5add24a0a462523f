"""Disclosure control for published tables of counts. Pure Python: no Django, no database.

A published figure about children must not let anyone single a child out. Two rules:

* **Primary suppression** — every count from 1 to ``threshold - 1`` (1 to 4 by default) is
  hidden, in the body of the table and in its totals alike; 0 is shown (it identifies nobody).
* **Secondary (complementary) suppression** — a hidden count must not be recoverable from
  what is published. The table is read with its totals as one grid: each row, each column, the
  row of column totals and the column of row totals are additive lines (the cells of a line add
  up to its total). Read the hidden entries as edges between line-nodes (the entry at row *i*,
  column *j* joins row-line *i* and column-line *j*). The solutions of the line equations differ
  exactly by the cycles of that graph, so a hidden entry is pinned down if and only if it lies
  on no cycle (it is a *bridge*). A line with a single hidden entry is the simplest case: the
  entry is the total minus the rest.

  So each bridge is closed into a cycle along the cheapest path of published counts (smallest
  sum, then fewest entries; totals are on the path when that is cheapest or the only way), and
  this repeats until no bridge is left. Every line holding a hidden entry then holds at least
  two. Zeros are never hidden as complements: every hidden entry is a positive count, so even
  knowing that counts are not negative, each hidden entry can move both ways along a cycle —
  none can be pinned down.

What this does not do: protect two tables published with a shared margin against each other
(publish each breakdown of the same total through one table), or guard against knowledge from
outside the tables. ``docs/figures.md`` explains the rules for readers of the published figures.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_THRESHOLD",
    "Position",
    "ProtectedTable",
    "Suppression",
    "is_sensitive",
    "protect_table",
    "protect_value",
    "with_totals",
]

DEFAULT_THRESHOLD = 5

# (row, column) in the grid with totals: row ``len(cells)`` is the row of column totals,
# column ``len(cells[0])`` the column of row totals, their crossing the grand total.
Position = tuple[int, int]
# A line-node of the graph: ("r", row) or ("c", column).
_Node = tuple[str, int]


class Suppression(enum.StrEnum):
    PRIMARY = "primary"  # a small count
    SECONDARY = "secondary"  # hidden so that a small count cannot be worked out


def is_sensitive(value: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Whether a count is small enough to identify someone (1 to ``threshold - 1``)."""
    return 0 < value < threshold


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts as it may be published: hidden entries are ``None``."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    grand_total: int | None
    primary: frozenset[Position]
    secondary: frozenset[Position]
    threshold: int

    @property
    def suppressed(self) -> frozenset[Position]:
        return self.primary | self.secondary

    def suppression(self, row: int, column: int) -> Suppression | None:
        """Why the entry at (row, column) of the grid with totals is hidden, or None if shown."""
        if (row, column) in self.primary:
            return Suppression.PRIMARY
        if (row, column) in self.secondary:
            return Suppression.SECONDARY
        return None

    def grid(self) -> list[list[int | None]]:
        """The published grid with totals: body rows with their row total, then the totals row."""
        rows = [[*row, total] for row, total in zip(self.cells, self.row_totals, strict=True)]
        rows.append([*self.column_totals, self.grand_total])
        return rows


def _validated(cells: Sequence[Sequence[int]], threshold: int) -> list[list[int]]:
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    rows = [list(row) for row in cells]
    width = len(rows[0]) if rows else 0
    for row in rows:
        if len(row) != width:
            raise ValueError("every row of the table must have the same number of cells")
        for value in row:
            if type(value) is not int or value < 0:  # bool is an int, but not a count
                raise ValueError("cells must be counts: whole numbers, not negative")
    return rows


def with_totals(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The grid with totals: each row followed by its total, then the row of column totals."""
    rows = [[*row, sum(row)] for row in cells]
    width = len(cells[0]) if cells else 0
    totals = [sum(row[j] for row in rows) for j in range(width + 1)]
    return [*rows, totals]


def _ends(position: Position) -> tuple[_Node, _Node]:
    return ("r", position[0]), ("c", position[1])


def _connected(edges: Iterable[Position], start: _Node, goal: _Node) -> bool:
    neighbours: dict[_Node, list[_Node]] = {}
    for edge in edges:
        a, b = _ends(edge)
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in neighbours.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _bridges(hidden: set[Position]) -> list[Position]:
    """Hidden entries that lie on no cycle of hidden entries: the ones the totals pin down."""
    return [edge for edge in sorted(hidden) if not _connected(hidden - {edge}, *_ends(edge))]


def _close_cycle(grid: list[list[int]], hidden: set[Position], bridge: Position) -> set[Position]:
    """The published entries to hide so that ``bridge`` lies on a cycle: the cheapest path
    (smallest sum of counts, then fewest entries) between its two lines, zeros excluded."""
    height, width = len(grid), len(grid[0])
    start, goal = _ends(bridge)
    best: dict[_Node, tuple[int, int]] = {start: (0, 0)}
    came_from: dict[_Node, tuple[_Node, Position]] = {}
    queue: list[tuple[tuple[int, int], _Node]] = [((0, 0), start)]
    while True:  # a path always exists: through the totals, which are positive (see the tests)
        cost, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best[node]:
            continue
        kind, index = node
        if kind == "r":
            steps = [((index, j), ("c", j)) for j in range(width)]
        else:
            steps = [((i, index), ("r", i)) for i in range(height)]
        for position, nxt in steps:
            value = grid[position[0]][position[1]]
            if position == bridge or (position not in hidden and value == 0):
                continue
            step = (0, 0) if position in hidden else (value, 1)
            new_cost = (cost[0] + step[0], cost[1] + step[1])
            if nxt not in best or new_cost < best[nxt]:
                best[nxt] = new_cost
                came_from[nxt] = (node, position)
                heapq.heappush(queue, (new_cost, nxt))
    added: set[Position] = set()
    node = goal
    while node != start:
        node, position = came_from[node]
        if position not in hidden:
            added.add(position)
    return added


def protect_table(cells: Sequence[Sequence[int]], *, threshold: int = DEFAULT_THRESHOLD) -> ProtectedTable:
    """Apply primary and secondary suppression to a table of counts and its totals.

    ``cells`` is a list of rows of non-negative whole numbers (all rows the same length). The
    totals are computed here; they are never taken from the caller.
    """
    rows = _validated(cells, threshold)
    grid = with_totals(rows)
    primary = {(i, j) for i, line in enumerate(grid) for j, value in enumerate(line) if is_sensitive(value, threshold)}
    hidden = set(primary)
    while bridges := _bridges(hidden):
        hidden |= _close_cycle(grid, hidden, bridges[0])
    published = [[None if (i, j) in hidden else value for j, value in enumerate(line)] for i, line in enumerate(grid)]
    return ProtectedTable(
        cells=tuple(tuple(line[:-1]) for line in published[:-1]),
        row_totals=tuple(line[-1] for line in published[:-1]),
        column_totals=tuple(published[-1][:-1]),
        grand_total=published[-1][-1],
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
        threshold=threshold,
    )


def protect_value(value: int, *, threshold: int = DEFAULT_THRESHOLD) -> int | None:
    """A single count published on its own: hidden (None) when small."""
    return protect_table([[value]], threshold=threshold).grand_total
