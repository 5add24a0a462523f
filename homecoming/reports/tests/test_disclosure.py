"""Disclosure control: small counts hidden, and no hidden count recoverable from what is published."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.reports.disclosure import (
    DEFAULT_THRESHOLD,
    Suppression,
    is_sensitive,
    protect_table,
    protect_value,
    with_totals,
)

# --- an independent oracle: which hidden entries does linear algebra pin down? -----------------


def _lines(height, width):
    """Additive lines of a grid with totals (the last position of each is its total)."""
    return [[(i, j) for j in range(width)] for i in range(height)] + [
        [(i, j) for i in range(height)] for j in range(width)
    ]


def determined_entries(published_grid):
    """Hidden entries (None) whose value follows from the published ones by the line equations.

    Gauss-Jordan elimination over the rationals: an unknown is determined exactly when the
    unit vector of that unknown lies in the row space of the equations' coefficients.
    """
    height, width = len(published_grid), len(published_grid[0])
    unknowns = [(i, j) for i in range(height) for j in range(width) if published_grid[i][j] is None]
    index = {p: k for k, p in enumerate(unknowns)}
    rows = []
    for line in _lines(height, width):
        coefficients = [Fraction(0)] * len(unknowns)
        for p in line[:-1]:
            if p in index:
                coefficients[index[p]] += 1
        if line[-1] in index:
            coefficients[index[line[-1]]] -= 1
        if any(coefficients):
            rows.append(coefficients)
    pivots = []
    r = 0
    for col in range(len(unknowns)):
        pivot = next((k for k in range(r, len(rows)) if rows[k][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][col]
        rows[r] = [v / lead for v in rows[r]]
        for k in range(len(rows)):
            if k != r and rows[k][col] != 0:
                factor = rows[k][col]
                rows[k] = [a - factor * b for a, b in zip(rows[k], rows[r], strict=True)]
        pivots.append(col)
        r += 1
    determined = set()
    for k, col in enumerate(pivots):
        if all(v == 0 for c, v in enumerate(rows[k]) if c != col):
            determined.add(unknowns[col])
    return determined


def subtraction_recoverable(published_grid):
    """Lines with exactly one hidden entry: that entry is its total minus the rest."""
    height, width = len(published_grid), len(published_grid[0])
    return [line for line in _lines(height, width) if sum(published_grid[i][j] is None for i, j in line) == 1]


def test_the_oracle_sees_a_single_hidden_cell():
    grid: list[list[int | None]] = [[3, 7, 10], [8, 9, 17], [11, 16, 27]]
    grid[0][0] = None
    assert determined_entries(grid) == {(0, 0)}
    assert subtraction_recoverable(grid)


def test_the_oracle_sees_a_rectangle_as_safe_and_a_bridge_as_unsafe():
    full = with_totals([[3, 7, 6], [8, 2, 5], [9, 9, 9]])
    rectangle: list[list[int | None]] = [list(row) for row in full]
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        rectangle[i][j] = None
    assert determined_entries(rectangle) == set()
    # Two rectangles joined by one hidden cell: that cell is pinned down by the totals.
    full = with_totals([[5] * 6 for _ in range(6)])
    bridged: list[list[int | None]] = [list(row) for row in full]
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        bridged[i][j] = None
    assert not subtraction_recoverable(bridged)
    assert determined_entries(bridged) == {(1, 2)}


# --- examples ----------------------------------------------------------------------------------


def test_nothing_is_hidden_when_no_count_is_small():
    table = protect_table([[12, 0, 30], [5, 8, 40]])
    assert table.suppressed == frozenset()
    assert table.cells == ((12, 0, 30), (5, 8, 40))
    assert table.row_totals == (42, 53)
    assert table.column_totals == (17, 8, 70)
    assert table.grand_total == 95


def test_zero_is_shown_and_one_to_four_are_hidden():
    table = protect_table([[0, 1, 4, 5]])
    assert table.cells[0][0] == 0
    assert table.cells[0][1] is None
    assert table.cells[0][2] is None
    assert table.cells[0][3] == 5
    assert table.suppression(0, 1) == Suppression.PRIMARY
    assert table.suppression(0, 0) is None


def test_a_small_cell_is_complemented_by_the_cheapest_rectangle():
    table = protect_table([[2, 20, 9], [30, 40, 50], [11, 60, 70]])
    assert table.primary == {(0, 0)}
    # The cheapest cycle through the 2: 9 (its row), 50 (9's column), 30 (50's row, the 2's column).
    assert table.secondary == {(0, 2), (1, 2), (1, 0)}
    assert table.cells == ((None, 20, None), (None, 40, None), (11, 60, 70))
    assert table.row_totals == (31, 120, 141)
    assert table.grand_total == 292
    assert table.suppression(1, 0) == Suppression.SECONDARY


def test_a_row_whose_other_cells_are_zero_hides_totals():
    table = protect_table([[3, 0, 0], [10, 20, 30]])
    assert table.cells == ((None, 0, 0), (None, 20, 30))
    assert table.suppression(0, 3) == Suppression.PRIMARY  # the row's total, 3, is small too
    assert table.row_totals == (None, None)
    assert table.column_totals == (13, 20, 30)
    assert table.grand_total == 63
    assert not subtraction_recoverable(table.grid())
    assert not determined_entries(table.grid())


def test_zeros_are_never_complements():
    # Row 1 is [1, 0, 6]: the 0 beside the 1 is not hidden; the path goes through the totals.
    table = protect_table([[7, 0, 0], [1, 0, 6]], threshold=2)
    assert table.primary == {(1, 0)}
    assert table.secondary == {(1, 2), (2, 2), (2, 0)}
    assert table.column_totals == (None, 0, None)
    assert all(table.grid()[i][j] != 0 for i, j in table.suppressed)
    assert not determined_entries(table.grid())


def test_a_single_row_hides_the_column_totals_that_repeat_its_cells():
    table = protect_table([[12, 2, 6]])
    assert table.cells == ((12, None, None),)
    assert table.column_totals == (12, None, None)
    assert table.grand_total == 20


def test_a_single_column_hides_the_row_totals_that_repeat_its_cells():
    table = protect_table([[1], [9]])
    assert table.cells == ((None,), (None,))
    assert table.row_totals == (None, None)
    assert table.column_totals == (10,)


def test_a_row_of_small_counts_is_hidden_with_the_cheapest_other_row():
    table = protect_table([[2, 2], [9, 7]])
    assert table.grid() == [[None, None, None], [None, None, None], [11, 9, 20]]
    assert table.secondary == {(1, 0), (1, 1), (1, 2)}


def test_a_table_with_many_small_counts_is_safe():
    cells = [[5, 20, 2, 5], [20, 3, 1, 20], [5, 0, 0, 7]]
    table = protect_table(cells)
    assert not subtraction_recoverable(table.grid())
    assert not determined_entries(table.grid())


def test_the_threshold_is_configurable():
    assert protect_table([[3, 4, 10]], threshold=3).cells == ((3, 4, 10),)
    assert protect_table([[2, 4, 10]], threshold=3).cells[0][0] is None
    assert protect_table([[1, 2]], threshold=1).suppressed == frozenset()
    assert protect_table([[1]]).threshold == DEFAULT_THRESHOLD


def test_a_single_count():
    assert protect_value(0) == 0
    assert protect_value(3) is None
    assert protect_value(84) == 84
    assert protect_value(4, threshold=4) == 4


def test_empty_tables():
    table = protect_table([])
    assert table.cells == ()
    assert table.grand_total == 0
    table = protect_table([[], []])
    assert table.row_totals == (0, 0)
    assert table.column_totals == ()


def test_grid_lists_the_rows_with_their_totals_and_the_totals_row():
    table = protect_table([[10, 20], [30, 40]])
    assert table.grid() == [[10, 20, 30], [30, 40, 70], [40, 60, 100]]


@pytest.mark.parametrize(
    ("cells", "threshold"),
    [
        ([[1, 2], [3]], 5),
        ([[1, -2]], 5),
        ([[1, True]], 5),
        ([[1.5]], 5),
        ([[1]], 0),
    ],
)
def test_refuses_what_is_not_a_table_of_counts(cells, threshold):
    with pytest.raises(ValueError):  # noqa: PT011
        protect_table(cells, threshold=threshold)


def test_is_sensitive():
    assert [is_sensitive(v) for v in range(7)] == [False, True, True, True, True, False, False]


# --- properties over random tables -------------------------------------------------------------

counts = st.one_of(st.integers(0, 5), st.integers(0, 60))
tables = st.integers(1, 6).flatmap(
    lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=6)
)


@settings(max_examples=400, deadline=None)
@given(cells=tables, threshold=st.sampled_from([2, 3, 5, 10]))
def test_published_tables_are_safe(cells, threshold):
    table = protect_table(cells, threshold=threshold)
    full = with_totals(cells)
    published = table.grid()
    # Totals are true totals, shown wherever they are not hidden.
    for i, row in enumerate(published):
        for j, value in enumerate(row):
            if value is not None:
                assert value == full[i][j]
            # No published count from 1 to threshold - 1, in the body or the totals.
            assert value is None or not (0 < value < threshold)
            # Every hidden entry is a positive count (zeros are never complements), so knowing
            # that counts are not negative pins nothing down either.
            if value is None:
                assert full[i][j] > 0
    # No hidden entry is its line's total minus the published rest (rows, columns, totals) ...
    assert subtraction_recoverable(published) == []
    # ... nor follows from all the line equations together.
    assert determined_entries(published) == set()
    # Primary suppression is exactly the small counts.
    assert table.primary == {
        (i, j) for i, row in enumerate(full) for j, value in enumerate(row) if 0 < value < threshold
    }


@settings(max_examples=100, deadline=None)
@given(cells=tables)
def test_tables_without_small_counts_are_published_whole(cells):
    cells = [[0 if v < DEFAULT_THRESHOLD else v for v in row] for row in cells]
    full = with_totals(cells)
    if any(0 < v < DEFAULT_THRESHOLD for row in full for v in row):
        return
    assert protect_table(cells).grid() == full


@settings(max_examples=100, deadline=None)
@given(cells=tables)
def test_protection_is_deterministic(cells):
    assert protect_table(cells) == protect_table(cells)
