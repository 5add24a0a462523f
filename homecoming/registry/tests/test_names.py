# ruff: noqa: RUF001 - names in Cyrillic script, on purpose
"""Names as written: cleaned the same way however long they are, and however often they come."""

from homecoming.registry.names import as_written


def test_a_name_is_cleaned_the_same_the_first_time_and_when_it_comes_again() -> None:
    for _again in range(2):
        assert as_written("  Zarina\u200b  \u202eRahimova\n") == "Zarina Rahimova"
        assert as_written("Ма\u200cҳина\tСаидова") == "Ма\u200cҳина Саидова"  # the non-joiner is kept
    assert as_written("") == ""


def test_a_huge_cell_is_cleaned_too() -> None:
    huge = "Zarina\u200b " * 10_000
    assert as_written(huge) == " ".join(["Zarina"] * 10_000)
