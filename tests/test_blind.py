"""Blind coding: while it is on, each annotator sees only their own tags, wherever tags are shown."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def blind_ws(cli, demo_workspace_dir):
    code, out, err = cli("config", "blind", "on", "--workspace", demo_workspace_dir)
    assert code == 0 and "blind coding is on" in out, err
    return demo_workspace_dir


def run_json(cli, *args):
    code, out, err = cli(*args)
    assert code == 0, err
    return json.loads(out)


def test_config_shows_and_turns_it_off(cli, blind_ws):
    code, out, _ = cli("config", "--workspace", blind_ws)
    assert "blind: on" in out
    code, out, _ = cli("config", "blind", "off", "--workspace", blind_ws)
    assert code == 0 and "blind coding is off" in out
    code, out, _ = cli("config", "blind", "--workspace", blind_ws)
    assert out.strip() == "blind: off"
    code, _, err = cli("config", "blind", "maybe", "--workspace", blind_ws)
    assert code == 2 and "'on' or 'off'" in err and err.count("\n") == 1
    # personal: the setting lives beside the name, in the folder git ignores
    assert (blind_ws / ".annotator" / ".gitignore").exists()


def test_show_lists_only_the_viewers_tags(cli, blind_ws, monkeypatch):
    data = run_json(cli, "show", "nlmg-010", "--as", "wren", "--json", "--workspace", blind_ws)
    assert data["themes"] == ["communication", "obligation-to-society"]
    assert {a["annotator"] for a in data["annotations"]} == {"wren"}
    monkeypatch.setenv("ANNOTATOR_NAME", "tutor")  # who is looking, as for writing
    data = run_json(cli, "show", "nlmg-010", "--json", "--workspace", blind_ws)
    assert data["themes"] == ["free-will", "communication"]
    assert {a["annotator"] for a in data["annotations"]} == {"tutor"}
    code, out, _ = cli("show", "nlmg-010", "--workspace", blind_ws)
    assert "by tutor" in out and "by demo" not in out and "by wren" not in out


def test_search_filters_and_themes_are_the_viewers(cli, blind_ws):
    # tutor gave nlmg-018 willful-ignorance, not hope: blind, tutor's hope filter leaves it out
    data = run_json(cli, "search", "office", "--theme", "hope", "--as", "tutor", "--json", "--workspace", blind_ws)
    assert "nlmg-018" not in [r["id"] for r in data["results"]]
    data = run_json(cli, "search", "office theme:hope", "--as", "wren", "--json", "--workspace", blind_ws)
    assert [r["id"] for r in data["results"] if r["kind"] == "passage"] == ["nlmg-018"]
    assert data["results"][0]["themes"] == ["willful-ignorance", "hope"]
    # untagged means untagged by me: nlmg-025 is tagged by tutor and wren, not by demo
    data = run_json(cli, "search", "boat", "--untagged", "--as", "demo", "--json", "--workspace", blind_ws)
    assert "nlmg-025" in [r["id"] for r in data["results"]]
    data = run_json(cli, "search", "boat", "--as", "demo", "--json", "--workspace", blind_ws)
    assert next(r for r in data["results"] if r["id"] == "nlmg-025")["themes"] == []


def test_counts_evidence_and_report_are_the_viewers(cli, blind_ws):
    themes = {t["id"]: t["count"] for t in run_json(cli, "themes", "--as", "wren", "--json", "--workspace", blind_ws)}
    assert themes["free-will"] == 0 and themes["conformity"] == 3
    data = run_json(cli, "evidence", "hope", "--as", "tutor", "--json", "--workspace", blind_ws)
    assert [p["id"] for p in data["passages"]] == ["nlmg-029"]
    assert {a["annotator"] for p in data["passages"] for a in p["annotations"]} == {"tutor"}
    data = run_json(cli, "report", "--as", "tutor", "--json", "--workspace", blind_ws)
    assert data["tagged"] == 8
    code, _, err = cli("report", "--annotator", "demo", "--as", "tutor", "--workspace", blind_ws)
    assert code == 2 and "blind coding is on" in err


@pytest.mark.parametrize("command", [
    ["agreement", "demo", "tutor"],
    ["consensus", "demo", "tutor", "--as", "agreed"],
    ["report", "--by-annotator"],
])
def test_comparing_waits_until_the_tutor_turns_it_off(cli, blind_ws, command):
    code, out, err = cli(*command, "--workspace", blind_ws)
    assert code == 2 and out == "" and "blind coding is on" in err and err.count("\n") == 1
    cli("config", "blind", "off", "--workspace", blind_ws)
    code, _, err = cli(*command, "--workspace", blind_ws)
    assert code == 0, err


def test_off_shows_everyone_again(cli, blind_ws):
    cli("config", "blind", "off", "--workspace", blind_ws)
    data = run_json(cli, "show", "nlmg-010", "--as", "wren", "--json", "--workspace", blind_ws)
    assert {a["annotator"] for a in data["annotations"]} == {"demo", "tutor", "wren"}


def test_suggestions_learn_only_from_the_viewers_tags(cli, workspace_dir, monkeypatch):
    # alice tagged lh-012 friendship: not blind, bob's suggestions for lh-001 cite it as "like lh-012"
    monkeypatch.setenv("ANNOTATOR_NAME", "bob")
    code, out, err = cli("suggest", "lh-001", "--workspace", workspace_dir)
    assert code == 0 and "like lh-" in out, err
    assert cli("config", "blind", "on", "--workspace", workspace_dir)[0] == 0
    code, out, err = cli("suggest", "lh-001", "--workspace", workspace_dir)
    assert code == 0 and "like lh-" not in out, out
    monkeypatch.setenv("ANNOTATOR_NAME", "alice")
    assert "like lh-" in cli("suggest", "lh-001", "--workspace", workspace_dir)[1]



def test_exports_carry_only_the_viewers_tags(cli, blind_ws, monkeypatch):
    import csv
    import io

    monkeypatch.setenv("ANNOTATOR_NAME", "wren")
    code, out, err = cli("export", "--format", "csv", "--workspace", blind_ws)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))[1:]
    assert rows and {row[4] for row in rows} == {"wren"}  # not tutor's free-will on nlmg-002
    code, out, err = cli("export", "--format", "md", "--workspace", blind_ws)
    assert code == 0 and "The group decides who belongs" in out, err
    assert "I read the outburst as resistance" not in out  # tutor's comment
    code, out, err = cli("export", "--format", "json", "--workspace", blind_ws)  # filtered too, not refused
    assert code == 0 and {a["annotator"] for a in json.loads(out)["annotations"]} == {"wren"}
    assert "blind coding is on" in err
