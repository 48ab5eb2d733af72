"""The search index: words, parts, postings, shards, and bounded, deterministic files."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okrsite.build import check
from okrsite.render import RenderInput
from okrsite.render.refs import Refs
from okrsite.render.search import (
    DOCS_PER_FILE,
    KR_TITLE,
    MANIFEST_URL,
    TERM_SHARD_BYTES,
    TEXT_FILE_CHARS,
    TITLE,
    Doc,
    build_index,
    search_index,
)
from okrsite.render.search_text import _WORD, PART_CHARS, fold, split_parts, terms
from tests.search_support import LAST_WORD, LONG_OBJECTIVE, Index, long_body, search_handbook
from tests.site_support import REPO


def index_for(site: Path) -> Index:
    build = check(site, str(site))
    assert not build.failed(), [d.text() for d in build.diagnostics]
    assert build.resolved is not None and build.results is not None
    return Index(search_index(Refs(RenderInput(build.site, build.resolved.graph, build.results))))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return index_for(search_handbook(tmp_path_factory.mktemp("search") / "site"))


# --- words -------------------------------------------------------------------------------------------


def test_terms_fold_case_accents_and_compatibility_forms() -> None:
    assert terms("Café CRÈME naïve") == ["cafe", "creme", "naive"]
    assert terms("ﬁnal ½ ＦＵＬＬ") == ["final", "1", "2", "full"]  # NFKD: ligatures, fractions, full width
    assert terms("snake_case, and-dash; O'Brien 2025-Q3") == ["snake", "case", "and", "dash", "o", "brien", "2025",
                                                             "q3"]
    assert terms("e\u0301tude") == terms("\u00e9tude") == ["etude"]  # decomposed or not
    assert terms("  ") == [] and terms("— · …") == []


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_fast_path_splits_like_the_regex(text: str) -> None:
    assert terms(text) == _WORD.findall(fold(text))


@given(st.text())
def test_terms_are_folded_letters_and_digits(text: str) -> None:
    for t in terms(text):
        assert t and t == fold(t) and all(c.isalnum() for c in t)


def test_split_parts_cuts_at_spaces_and_keeps_every_word() -> None:
    text = " ".join(f"word{i}" for i in range(2_000))
    parts = split_parts(text)
    assert len(parts) > 5 and all(0 < len(p) <= PART_CHARS for p in parts)
    assert " ".join(parts) == text  # cut at spaces: no word split, nothing lost
    assert split_parts("") == [] and split_parts("short") == ["short"]
    long_word = "x" * (PART_CHARS * 2 + 5)
    assert "".join(split_parts(long_word)) == long_word  # a word longer than a part is cut, not dropped


@given(st.text(alphabet=st.sampled_from("ab \u00e9"), max_size=60), st.integers(min_value=1, max_value=9))
def test_split_parts_never_loses_a_term(text: str, size: int) -> None:
    text = " ".join(text.split())
    parts = split_parts(text, size)
    assert all(len(p) <= size for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


# --- postings ----------------------------------------------------------------------------------------


def test_the_last_word_of_a_long_body_is_indexed_with_its_part(small: Index) -> None:
    doc = small.doc_number(LONG_OBJECTIVE)
    (posting,) = small.postings(LAST_WORD)
    assert posting.doc == doc and posting.field == 0 and posting.tf == 1
    _, text = small.text_part(doc, posting.part)
    assert text.endswith(f"The last word is {LAST_WORD}")
    assert len(long_body()) > 10 * PART_CHARS and posting.part >= 10


def test_fields_title_above_key_result_title_above_body(small: Index) -> None:
    by_doc = {small.meta(p.doc)[0]: p for p in small.postings("harbour")}
    assert by_doc["Harbour expansion"].field == TITLE
    assert by_doc["Dock works"].field == 0 and by_doc["Dock works"].tf == 4
    (kr,) = small.postings("zeppelin")
    assert kr.field == KR_TITLE
    meta = small.meta(kr.doc)
    assert meta[0] == "Better lounges" and meta[2] == "objectives/lounge.html"
    (title, anchor, status), = meta[6]
    assert (title, anchor) == ("Open the Zeppelin lounge", "kr-zeppelin")
    assert status in small.manifest["statuses"]  # shown as a chip with its words
    assert small.postings("cafe")[0].field == TITLE  # "Café crème", folded


@pytest.fixture(scope="module")
def many() -> Index:
    """20,000 small docs: a term in every one of them, and one term of its own in each."""
    docs = [Doc(f"Doc {i}", "page", f"p{i}.html", "", "", text=f"common w{i:05d} " * 3) for i in range(20_000)]
    docs += [Doc("Ünïcödé ꀀ 𠀀", "page", "u.html", "", "", text="ÆØÅ ß 日本語")]
    return Index(build_index(docs))


def test_every_term_is_found_in_the_shard_its_bounds_name(many: Index) -> None:
    bounds = many.manifest["bounds"]
    keys = [b.encode("utf-16-be") for b in bounds]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) and len(bounds) > 3
    seen = 0
    for n in range(len(bounds)):
        for term in many.data("t", n):
            assert many.shard_of(term) == n, term
            seen += 1
    assert seen > 20_000
    assert [p.doc for p in many.postings("日本語")] == [20_000] and many.postings("𠀀")


def test_docs_are_numbered_in_site_order_with_every_fragment_present(small: Index) -> None:
    n = small.manifest["docs"]
    assert [small.meta(i)[1] for i in range(2)] == ["cycle", "cycle"]
    assert sum(len(small.data("d", f)) for f in range(-(-n // DOCS_PER_FILE))) == n
    kinds = {small.meta(i)[1] for i in range(n)}
    assert kinds == {"cycle", "objective", "KPI", "unit", "page"}


def test_shards_split_by_size_and_a_huge_term_stays_whole(many: Index) -> None:
    for n in range(len(many.manifest["bounds"])):
        data = many.files[f"assets/search/t/{n}.js"]
        assert len(data) <= TERM_SHARD_BYTES + 100 or len(many.data("t", n)) == 1
        assert many.manifest["sizes"][n] == len(data)  # what search.js budgets a query by
    common = many.postings("common")
    assert [p.doc for p in common] == list(range(20_000)) and {p.tf for p in common} == {3}
    assert [p.doc for p in many.postings("w12345")] == [12345]


# --- bounded and deterministic -----------------------------------------------------------------------


def _generate(dest: Path, objectives: int) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(dest, objectives)


def test_index_files_stay_small_for_a_few_hundred_objectives_with_long_bodies(tmp_path: Path) -> None:
    site = _generate(tmp_path / "hb", 300)
    objectives = sorted((site / "content" / "objectives").rglob("*.md"))
    for i, path in enumerate(objectives[::10]):  # every tenth objective gets a long body
        path.write_text(path.read_text(encoding="utf-8") + "\n" + long_body(60, seed=i), encoding="utf-8")
    index = index_for(site)
    sizes = {url: len(data) for url, data in index.files.items()}
    assert index.manifest["docs"] > 300
    for url, size in sizes.items():
        if "/t/" in url:
            assert size <= TERM_SHARD_BYTES + 200 or len(index.data("t", int(url.split("/")[-1][:-3]))) == 1, url
        elif "/x/" in url:
            assert size <= 3 * (TEXT_FILE_CHARS + PART_CHARS), url  # characters, at most 3 bytes each
        elif "/d/" in url:
            assert size <= 32_000, url
    assert sizes[MANIFEST_URL] < 8_000
    assert max(sizes.values()) < 1024 * 1024
    # one word's query: the manifest, its shard, a page of fragments and text files stays far under 1 MiB
    worst_shard = max(s for u, s in sizes.items() if "/t/" in u)
    worst_d = max(s for u, s in sizes.items() if "/d/" in u)
    worst_x = max(s for u, s in sizes.items() if "/x/" in u)
    assert sizes[MANIFEST_URL] + worst_shard + 20 * (worst_d + worst_x) < 1024 * 1024


def _build_in_subprocess(site: Path, out: Path, seed: str) -> dict[str, bytes]:
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "okrsite", "build", str(site), "--out", str(out), "--force"],
                          env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "assets" / "search").rglob("*")
            if p.is_file()}


def test_the_index_is_byte_identical_across_builds_and_hash_seeds(tmp_path: Path) -> None:
    site = search_handbook(tmp_path / "site")
    first = _build_in_subprocess(site, tmp_path / "a", "1")
    second = _build_in_subprocess(site, tmp_path / "b", "2")
    assert first == second and "assets/search/manifest.js" in first and len(first) >= 4


def test_serve_rebuilds_reuse_the_index_until_something_it_holds_changes(tmp_path: Path) -> None:
    site = search_handbook(tmp_path / "site")
    memo: dict = {}

    def index() -> dict[str, bytes]:
        build = check(site, str(site))
        assert build.resolved is not None and build.results is not None
        return search_index(Refs(RenderInput(build.site, build.resolved.graph, build.results), memo))

    first = index()
    assert index() is first  # nothing changed: not rebuilt
    path = site / "content/objectives/harbour.md"
    path.write_text(path.read_text(encoding="utf-8").replace("quays", "piers"), encoding="utf-8")
    second = index()
    assert second is not first and Index(second).postings("piers") and not Index(second).postings("quays")
