"""A did-you-mean is offered only for a plausible spelling of the word typed, and only when it
finds something: `lies` (stem `li`) is not corrected to `his` (stem `hi`, one edit from `li`)."""

from __future__ import annotations


def test_search_and_kwic_offer_no_implausible_correction(cli, workspace_dir):
    for command in ("search", "kwic"):
        for query in ("lies", "hope lies"):
            code, out, err = cli("--workspace", workspace_dir, command, query)
            assert code == 0, err
            assert "did you mean: hope his" not in out and "did you mean: his" not in out, out


def test_a_real_misspelling_is_still_corrected(cli, workspace_dir):
    for command in ("search", "kwic"):
        code, out, err = cli("--workspace", workspace_dir, command, "lighthuose")
        assert code == 0, err
        assert "did you mean: lighthouse" in out, out
