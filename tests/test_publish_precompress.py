"""`okrsite build --precompress`: .gz (and .br) beside every text file over 1 KiB, byte-stable,
kept from the previous build when their file did not change. The real CLI in a subprocess."""

from __future__ import annotations

import gzip
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from okrsite.write.precompress import MIN_BYTES, TEXT_SUFFIXES, compressed, gzip_bytes
from tests.handbook import write_site

REPO = Path(__file__).resolve().parent.parent
HAS_BROTLI = importlib.util.find_spec("brotli") is not None


def build(site: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([sys.executable, "-m", "okrsite", "build", str(site), "--out", str(out), *extra],
                       capture_output=True, text=True, timeout=300, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("precompress") / "hb")


def test_every_text_file_over_1_kib_gets_gz_and_br(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = build(site, out, "--precompress")
    tree = files(out)
    sources = {rel: p for rel, p in tree.items() if not rel.endswith((".gz", ".br"))}
    want = sorted(rel for rel, p in sources.items()
                  if not rel.rsplit("/", 1)[-1].startswith(".") and p.suffix in TEXT_SUFFIXES
                  and p.stat().st_size > MIN_BYTES)
    assert "assets/plotly.min.js" in want and "index.html" in want and "data.json" in want
    assert sorted(rel[:-3] for rel in tree if rel.endswith(".gz")) == want
    for rel in want:
        data = sources[rel].read_bytes()
        packed = tree[rel + ".gz"].read_bytes()
        assert gzip.decompress(packed) == data
        assert packed[:4] == b"\x1f\x8b\x08\x00", rel  # deflate, no FNAME/FCOMMENT/FEXTRA flags
        assert packed[4:8] == b"\0\0\0\0", rel  # mtime 0
        assert len(packed) < len(data)
    if HAS_BROTLI:
        import brotli

        assert sorted(rel[:-3] for rel in tree if rel.endswith(".br")) == want
        for rel in want:
            assert brotli.decompress(tree[rel + ".br"].read_bytes()) == sources[rel].read_bytes()
    count = len(want) * (2 if HAS_BROTLI else 1)
    assert f"; {count} compressed (" in r.stderr


def test_byte_stable_across_builds_and_worker_counts(site: Path, tmp_path: Path) -> None:
    build(site, tmp_path / "a", "--precompress", "--jobs", "1")
    build(site, tmp_path / "b", "--precompress", "--jobs", "2")
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert any(rel.endswith(".gz") for rel in a)
    for rel in a:
        assert a[rel].read_bytes() == b[rel].read_bytes(), rel


def test_unchanged_rebuild_keeps_compressed_files_and_an_edit_refreshes_only_its_own(site: Path,
                                                                                     tmp_path: Path) -> None:
    hb = write_site(tmp_path / "hb")
    out = tmp_path / "out"
    build(hb, out, "--precompress")
    before = {rel: p.stat() for rel, p in files(out).items()}
    build(hb, out, "--precompress")
    after = {rel: p.stat() for rel, p in files(out).items()}
    assert before.keys() == after.keys()
    for rel in before:
        if rel.endswith((".gz", ".br")):
            assert (after[rel].st_ino, after[rel].st_mtime_ns) == (before[rel].st_ino, before[rel].st_mtime_ns), rel
    page = hb / "content/guide/intro.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + "A new paragraph about the plan. " * 60 + "\n",
                    encoding="utf-8")
    build(hb, out, "--precompress")
    again = files(out)
    html = again["guide/intro.html"].read_bytes()
    assert b"A new paragraph about the plan." in html
    assert gzip.decompress(again["guide/intro.html.gz"].read_bytes()) == html
    assert again["guide/intro.html.gz"].stat().st_ino != before["guide/intro.html.gz"].st_ino
    assert again["assets/plotly.min.js.gz"].stat().st_ino == before["assets/plotly.min.js.gz"].st_ino


def test_without_the_option_nothing_is_compressed(site: Path, tmp_path: Path) -> None:
    r = build(site, tmp_path / "out")
    assert not [rel for rel in files(tmp_path / "out") if rel.endswith((".gz", ".br"))]
    assert "compressed" not in r.stderr


def test_gzip_bytes_is_standard_and_incompressible_data_is_left_alone() -> None:
    text = ("<p>Objectives and key results</p>\n" * 200).encode()
    assert gzip_bytes(text) == gzip_bytes(text)
    assert gzip.decompress(gzip_bytes(text)) == text
    noise = os.urandom(4096)
    assert compressed(noise, {".gz": gzip_bytes}) == {}
    assert set(compressed(text, {".gz": gzip_bytes})) == {".gz"}
