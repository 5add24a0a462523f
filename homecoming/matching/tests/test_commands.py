"""The match_pairs and match_train commands, on generated files, with no database access.

These tests carry no django_db mark: pytest-django fails any test that touches the database, so they also
prove that the commands work on a fresh clone before ``migrate``.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from homecoming.matching.engine.model import ModelParams
from homecoming.matching.engine.pairs import REQUIRED_COLUMNS
from homecoming.matching.tests.factories import generate_pairs, write_pairs_csv


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_output(path):
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


class TestMatchPairs:
    def test_scores_every_pair_in_the_output_format(self, tmp_path):
        pairs = generate_pairs(60)
        source = write_pairs_csv(tmp_path / "pairs.csv", pairs, columns=(*REQUIRED_COLUMNS, "right_script"))
        target = tmp_path / "scores.csv"

        _, err = run("match_pairs", str(source), str(target))

        rows = read_output(target)
        assert rows[0] == ["pair_id", "score", "match"]
        assert [row[0] for row in rows[1:]] == [pair.row["pair_id"] for pair in pairs]
        for _, score, match in rows[1:]:
            assert 0.0 <= float(score) <= 1.0
            assert match in {"0", "1"}
        predicted = {row[0]: row[2] == "1" for row in rows[1:]}
        correct = sum(predicted[pair.row["pair_id"]] == pair.is_match for pair in pairs)
        assert correct >= 57, f"{correct} of 60 generated pairs decided correctly"
        assert "scored 60 pairs" in err

    def test_missing_column_stops_with_exit_code_2_naming_it(self, tmp_path):
        columns = tuple(column for column in REQUIRED_COLUMNS if column != "left_birth_date")
        source = write_pairs_csv(tmp_path / "pairs.csv", generate_pairs(3), columns=columns)
        target = tmp_path / "scores.csv"
        with pytest.raises(CommandError, match="left_birth_date") as raised:
            run("match_pairs", str(source), str(target))
        assert raised.value.returncode == 2
        assert not target.exists()

    def test_bad_date_is_a_warning_and_the_row_is_still_scored(self, tmp_path):
        pairs = generate_pairs(4)
        pairs[2].row["right_birth_date"] = "31/02/2015"
        source = write_pairs_csv(tmp_path / "pairs.csv", pairs)
        target = tmp_path / "scores.csv"

        _, err = run("match_pairs", str(source), str(target))

        assert "row 4, column 'right_birth_date': '31/02/2015' is not a date" in err
        assert len(read_output(target)) == 5

    def test_unreadable_file(self, tmp_path):
        with pytest.raises(CommandError, match="cannot read") as raised:
            run("match_pairs", str(tmp_path / "nothing.csv"), str(tmp_path / "out.csv"))
        assert raised.value.returncode == 2


class TestMatchTrain:
    def test_trains_parameters_that_match_pairs_can_use(self, tmp_path):
        pairs = generate_pairs(200, seed=11)
        source = write_pairs_csv(tmp_path / "pairs.csv", pairs)
        params_path = tmp_path / "params.json"

        out, _ = run("match_train", str(source), "--output", str(params_path), "--random-pairs", "2000")

        assert "converged" in out
        params = ModelParams.from_json(json.loads(params_path.read_text(encoding="utf-8")))
        assert params.meta["source"] == "pairs.csv"
        assert params.meta["left_records"] == 200
        target = tmp_path / "scores.csv"
        run("match_pairs", str(source), str(target), "--params", str(params_path))
        predicted = {row[0]: row[2] == "1" for row in read_output(target)[1:]}
        correct = sum(predicted[pair.row["pair_id"]] == pair.is_match for pair in pairs)
        assert correct >= 180, f"{correct} of 200 generated pairs decided correctly"

    def test_missing_column(self, tmp_path):
        source = tmp_path / "pairs.csv"
        source.write_text("pair_id,left_given\n1,A\n", encoding="utf-8")
        with pytest.raises(CommandError, match="left_family") as raised:
            run("match_train", str(source), "--output", str(tmp_path / "params.json"))
        assert raised.value.returncode == 2
