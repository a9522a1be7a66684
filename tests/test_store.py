import pytest

from annotator.errors import AnnotatorError, CorpusError
from annotator.corpus.model import Theme
from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace


@pytest.fixture
def store(workspace_dir):
    return Store(Workspace(workspace_dir))


def test_reads_the_fixture_corpus(store):
    assert [t.id for t in store.themes()] == ["hope", "memory", "friendship", "loss"]
    (source,) = store.sources()
    assert source.source.id == "lighthouse"
    assert len(source.passages) == 12
    assert {t.annotator for t in store.all_tags()} == {"alice"}


def test_tag_is_written_to_the_annotators_file(store, workspace_dir):
    assert store.add_tags("bob", "lh-001", ["hope"], comment="a beginning") == ["hope"]
    text = (workspace_dir / "corpus" / "annotations" / "bob.yaml").read_text()
    assert "passage: lh-001" in text and "theme: hope" in text and "a beginning" in text
    assert Store(Workspace(workspace_dir)).annotations("bob").find("lh-001", "hope").comment == "a beginning"


def test_tagging_twice_adds_once(store):
    store.add_tags("bob", "lh-001", ["hope"])
    assert store.add_tags("bob", "lh-001", ["hope"]) == []
    assert len(store.annotations("bob").tags) == 1


def test_untag_removes_only_the_named_theme(store):
    store.add_tags("bob", "lh-001", ["hope", "loss"])
    assert store.remove_tags("bob", "lh-001", ["hope"]) == ["hope"]
    assert [t.theme for t in store.annotations("bob").tags] == ["loss"]


def test_write_rereads_file_changed_by_another_process(store, workspace_dir):
    store.add_tags("bob", "lh-001", ["hope"])
    other = Store(Workspace(workspace_dir))  # a second process, in effect
    other.add_tags("bob", "lh-002", ["loss"])
    store.add_tags("bob", "lh-003", ["memory"])
    assert {t.passage for t in Store(Workspace(workspace_dir)).annotations("bob").tags} == {"lh-001", "lh-002", "lh-003"}


def test_malformed_themes_file_is_reported_not_rewritten(store, workspace_dir):
    path = workspace_dir / "corpus" / "themes.yaml"
    path.write_text("- id: hope\n  name: Hope\n- id: Not A Slug\n  name: Bad\n")
    with pytest.raises(CorpusError) as info:
        store.themes()
    assert "themes.yaml:3" in str(info.value) and "slug" in str(info.value)
    assert "Not A Slug" in path.read_text()


def test_duplicate_passage_ids_are_reported_with_line(store, workspace_dir):
    path = workspace_dir / "corpus" / "passages" / "lighthouse.yaml"
    text = path.read_text().replace("id: lh-002", "id: lh-001")
    path.write_text(text)
    with pytest.raises(CorpusError, match="duplicate passage id 'lh-001'"):
        store.sources()


def test_wrong_type_is_reported(store, workspace_dir):
    (workspace_dir / "corpus" / "annotations" / "carol.yaml").write_text("annotator: carol\ntags: 7\n")
    with pytest.raises(CorpusError, match="'tags' must be a list"):
        store.all_tags()


def test_bad_annotator_name_refused(store):
    with pytest.raises(AnnotatorError):
        store.add_tags("../evil", "lh-001", ["hope"])


def test_save_themes_round_trips(store):
    themes = store.themes() + [Theme("courage", "Courage", "Acting despite fear.", "#123456")]
    store.save_themes(themes)
    assert [t.id for t in store.themes()] == ["hope", "memory", "friendship", "loss", "courage"]
    assert store.themes()[-1].color == "#123456"
