"""`rtest check` expands literal `for` clauses and finds duplicate case titles early."""

from __future__ import annotations

import pytest

from robotest.dsl.compiler import check_source


def _errors(source: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.col, d.message) for d in check_source(source, "m.rtest")]


def test_a_duplicate_inside_one_literal_matrix_is_found_at_the_title() -> None:
    assert _errors('test "Boot {sku}" for sku in ["a", "b", "a"]:\n    wait 1s\n') == [
        (1, 6, "duplicate test title 'Boot a' (also produced by another case of this test)")
    ]


def test_a_case_title_equal_to_a_plain_test_title_is_found() -> None:
    source = (
        'SKUS = ("a", "b")\ntest "Boot {sku}" for sku in SKUS:\n    wait 1s\n'
        'test "Boot b":\n    wait 1s\n'
    )
    assert _errors(source) == [(4, 6, "duplicate test title 'Boot b' (first on line 2)")]


def test_dict_views_and_unpacking_follow_the_runtime_rules() -> None:
    source = (
        'FIELDS = {"EC": "2.14", "BIOS": "1.07"}\n'
        'test "{label} is {value}" for label, value in FIELDS.items():\n    wait 1s\n'
        'test "EC is 2.14":\n    wait 1s\n'
    )
    assert _errors(source) == [(4, 6, "duplicate test title 'EC is 2.14' (first on line 2)")]


def test_a_title_missing_one_clause_name_repeats_across_that_clause() -> None:
    source = 'test "R {n}" for n in [1, 2] for lang in ["en", "de"]:\n    wait 1s\n'
    assert _errors(source)[0][2].startswith("duplicate test title 'R 1'")


@pytest.mark.parametrize(
    "clause",
    [
        "range(3)",  # a call: known only at run time
        "SKUS",  # a constant bound twice
        "imported",  # not a literal
    ],
)
def test_clauses_not_known_before_the_run_are_left_to_it(clause: str) -> None:
    source = (
        f'from somewhere import imported\nSKUS = ["a", "a"]\nSKUS = ["a", "a"]\n'
        f'test "Boot {{x}}" for x in {clause}:\n    wait 1s\n'
    )
    assert _errors(source) == []


def test_distinct_titles_pass() -> None:
    assert _errors('test "Boot {sku}" for sku in ["a", "b"]:\n    wait 1s\n') == []
