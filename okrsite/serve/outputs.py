"""serve's rendering: only what an edit can change, and of that only the edited page before the reload.

Every page's context is built through a `Refs` that records what it reads
(okrsite.render.deps); after an edit, a page whose recorded reads are unchanged is
served as it was. A lazy render (the preview) goes in two steps:

1. `render`: the keys the edit changed, and the edited file's own page, planned
   alone and made at once. That is all the reload that follows has to wait for.
2. `settle`, once the reload is announced: every page is planned, and each one whose
   reads changed becomes a `Later`, made the first time it is asked for (the home page,
   the parent, the index pages listing it …), as do the search index, sitemap, feed and
   calendar (`theme_assets`, one group) and data.json.

A page asked for after an edit is always made from that edit's handbook, never stale:
until `settle` is done, only the edited pages, the static files and data.json are
served, anything else waits for it. A page not asked for before the next edit stays
`pending` and is made again then, whatever that edit changed.

Threads: rendering and settling run on the rebuild thread, one rebuild after the other;
HTTP threads make deferred outputs. Each render (`_Round`) has its own `Refs` and lock,
so a rebuild never waits for them; `gen` says which render the page cache belongs to,
and a deferred page of an older render is still served but never cached.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from okrsite import urls
from okrsite.render import Deferred, PlannedPage, RenderInput, changed_since
from okrsite.render.data_json import render_data
from okrsite.render.deps import Key, Reads, link_signature
from okrsite.render.html import Theme, plan_pages, plan_source, static_assets, theme_assets
from okrsite.render.refs import Refs
from okrsite.write.output import Output

EAGER_MAX = 16  # edited files whose pages are made before the reload; more (a branch switch) are all deferred


class Later(Deferred):
    """A deferred output that says whether it was made: a page made since the last rebuild is no change."""

    __slots__ = ()

    def peek(self) -> Any:
        """The value if it was made, else None."""
        return self._value if self._make is None else None


Served = Output | Deferred  # what an outputs key holds in serve


@dataclasses.dataclass(slots=True)
class Entry:
    """A page as last made, with what its context was made from."""

    template: str
    context: dict[str, Any]
    html: bytes
    reads: frozenset[Key]  # empty: nothing recorded, made again on every render
    links: tuple[Any, ...]  # how the source page's body links resolved
    gen: int  # the render it was made for
    pending: bool = False  # what it read changed and it was not asked for since: made again next time


class Outputs(Mapping[str, Served]):
    """One good build's outputs as `serve` holds them. Before `settle`: the edited pages, static files
    and data.json; any other key waits for it. Then every page too (some deferred), and the search
    index, sitemap, feed and calendar in one deferred group, made for the first key it can hold that
    is found nowhere else; last, the files linked from bodies."""

    def __init__(self, known: dict[str, Served], files: dict[str, Path],
                 group_keys: Callable[[], frozenset[str] | None]) -> None:
        self.known, self.files = known, files
        self.group: Deferred | None = None
        self._group_keys = group_keys  # the keys the group had when last made (None: never made)
        self._ready = threading.Event()
        self._error: str | None = None

    def complete(self, known: dict[str, Served], group: Deferred) -> None:
        self.known, self.group = known, group
        self._ready.set()

    def fail(self, line: str) -> None:
        self._error = line
        self._ready.set()

    @property
    def settled(self) -> bool:
        return self._ready.is_set()

    def _wait(self) -> None:
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError(self._error)

    def _grouped(self) -> dict[str, Output]:
        self._wait()
        return self.group() if self.group is not None else {}

    def get(self, key: str, default: Any = None) -> Any:
        value = self.known.get(key)
        if value is not None:
            return value
        self._wait()
        value = self.known.get(key)
        if value is not None:
            return value
        if self._maybe_grouped(key):  # the group wins over a linked file of the same path, as in build
            value = self._grouped().get(key)
            if value is not None:
                return value
        return self.files.get(key, default)

    def _maybe_grouped(self, key: str) -> bool:
        """Whether the group can hold `key`: it writes below assets/ (the search index) and the same few
        names every time (sitemap.xml …), so a stray request (a 404) does not make it."""
        seen = self._group_keys()
        return seen is None or key in seen or key.startswith(urls.ASSETS + "/")

    def __getitem__(self, key: str) -> Served:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def _all(self) -> dict[str, Served]:
        merged: dict[str, Served] = dict(self.files)
        merged.update(self._grouped())
        merged.update(self.known)
        return merged

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __bool__(self) -> bool:  # not len(): that would make the deferred group
        return True


class _Round:
    """One render's inputs, kept by the outputs it defers. They are made one at a time: a page's reads
    are recorded on the shared `Refs`, which also builds each ref once for all of them."""

    def __init__(self, owner: PageRenderer, inp: RenderInput, theme: Theme, gen: int) -> None:
        self.owner, self.inp, self.theme, self.gen = owner, inp, theme, gen
        self.reads = Reads()
        self.refs = Refs(inp, owner.memo, reads=self.reads)
        self.lock = threading.RLock()

    def page(self, planned: PlannedPage, links: tuple[Any, ...]) -> bytes:
        """Build the page's context; render it unless it equals the cached one; cache it while current."""
        owner = self.owner
        with self.lock:
            self.reads.start()
            try:
                job = planned.make()
            finally:
                got = self.reads.take()
            if planned.source and got:
                got |= {("g.pages", planned.source)}
            with owner.lock:
                hit = owner.pages.get(planned.url) if owner.gen == self.gen else None
            fresh = hit is None or hit.template != job.template or hit.context != job.context
            html = self.theme.render(job) if fresh else hit.html  # type: ignore[union-attr]
            with owner.lock:
                if owner.gen == self.gen:
                    owner.pages[planned.url] = Entry(job.template, job.context, html, got, links, self.gen)
                    if fresh:
                        owner.rendered.append(planned.url)
            return html

    def assets(self, plan: list[PlannedPage]) -> dict[str, Output]:
        with self.lock:
            made = theme_assets(self.inp, self.theme, self.refs, plan)
        self.owner.asset_keys = frozenset(made)
        return made


@dataclasses.dataclass(slots=True)
class _Unsettled:
    round: _Round
    changed: set[Key] | None | Callable[[], set[Key] | None]  # a callable: found when settling
    all_now: bool  # the first render: every page is made at once
    outputs: Outputs
    static: dict[str, Output]


class PageRenderer:
    """What `serve` keeps between renders: each page as last made, and the inputs of the last render."""

    def __init__(self) -> None:
        self.pages: dict[str, Entry] = {}
        self.rendered: list[str] = []  # URLs rendered for the last render (deferred pages made since too)
        self.rebuilt = 0  # contexts built by the last render and settle themselves
        self.pending: list[str] = []  # URLs the last settle deferred
        self.changed: set[Key] | None = None  # what the last render found changed (None: everything)
        self.theme: Theme | None = None  # reused while its files are unchanged; a new one invalidates all
        self.memo: dict[Any, tuple[Any, Any]] = {}  # costly derived values (see `Refs.remembered`)
        self.rows: dict[Any, Any] = {}  # data.json's lines (`render_data`)
        self.last: RenderInput | None = None
        self.data: Later | None = None  # data.json, kept while nothing it shows changed
        self.assets: Later | None = None  # theme_assets, likewise
        self.asset_keys: frozenset[str] | None = None
        self._deferred: dict[str, Later] = {}  # the pages the last settle deferred
        self._unsettled: _Unsettled | None = None
        self.gen = 0  # renders so far: the one `pages` belongs to
        self.lock = threading.Lock()  # guards `gen` and writes to `pages`

    _changed = staticmethod(changed_since)  # keys that differ from the last render; None: rebuild everything

    def render(self, inp: RenderInput, edited: frozenset[str] = frozenset(), lazy: bool = False,
               ) -> dict[str, Served] | Outputs:
        """Every output, made or deferred. With `lazy`, only the pages of the `edited` page ids (or every
        page, the first time) are made here, and `settle()` must follow; without, it is done here, and
        only data.json is deferred (like the search index, it is reused while nothing changed)."""
        self.settle()  # a lazy render nobody settled
        theme = Theme.for_site(inp.site, self.theme)
        restyled = theme is not self.theme
        last, first = self.last, self.last is None
        with self.lock:  # from here on, deferred pages of the last render no longer write the cache
            self.gen += 1
            if restyled:
                self.pages.clear()
                self.theme = theme
            rnd = _Round(self, inp, theme, self.gen)
            self.rendered = []
        self.last, self.rebuilt, self.pending = inp, 0, []
        known: dict[str, Served] = {}
        if lazy and not first:
            self._make_edited(rnd, edited if len(edited) <= EAGER_MAX else frozenset(), known)
        changed: set[Key] | None | Callable[[], set[Key] | None]
        if restyled:
            changed = None
        elif self.rendered:  # the edited page changed, so what it read did: the keys can wait for settle
            changed = partial(self._changed, last, inp)
        else:
            changed = self._changed(last, inp)
        self.changed = changed if not callable(changed) else None
        if self.data is None or changed != set():
            self.data = Later(partial(render_data, inp.site, inp.graph, inp.results, inp.history, self.rows))
        static = static_assets(theme)
        known.update(static)
        known[urls.DATA] = self.data
        files = {rel: Path(inp.site.root / "content" / rel) for rel in sorted(inp.files)}
        out = Outputs(known, files, lambda: self.asset_keys)
        self._unsettled = _Unsettled(rnd, changed, first or not lazy, out, static)
        if lazy:
            return out
        self.settle()
        outputs: dict[str, Served] = {k: v for k, v in out.known.items() if k != urls.DATA}
        assert self.assets is not None
        outputs.update(self.assets())
        for rel, path in files.items():
            outputs.setdefault(rel, path)
        outputs[urls.DATA] = self.data
        return outputs

    def _make_edited(self, rnd: _Round, edited: frozenset[str], into: dict[str, Served]) -> None:
        pages = rnd.inp.graph.pages
        for pid in sorted(edited):
            page = pages.get(pid)
            if page is None:  # a duplicate id: the page of the other file
                continue
            planned = plan_source(rnd.inp, rnd.refs, page)
            if planned is not None:
                into[planned.url] = rnd.page(planned, link_signature(page))
                self.rebuilt += 1

    @property
    def unsettled(self) -> bool:
        return self._unsettled is not None

    def settle(self) -> None:
        """Finish the last lazy render: plan every page and defer those an edit may have changed."""
        job, self._unsettled = self._unsettled, None
        if job is None:
            return
        try:
            self._settle(job)
        except BaseException as e:
            job.outputs.fail(f"internal error while rebuilding: {type(e).__name__}: {e} (please report this)")
            raise

    def _settle(self, job: _Unsettled) -> None:
        rnd, changed, out = job.round, job.changed, job.outputs
        if callable(changed):
            changed = self.changed = changed()
        inp, deferred = rnd.inp, self._deferred
        known: dict[str, Served] = {}
        pending: list[str] = []
        with rnd.lock:
            plan = plan_pages(inp, rnd.refs)
            pages = inp.graph.pages
            for planned in plan:
                url = planned.url
                hit = self.pages.get(url)
                links = link_signature(pages.get(planned.source)) if planned.source else ()
                if hit is not None and (hit.gen == rnd.gen or (
                        changed is not None and hit.reads and not hit.pending and hit.links == links
                        and changed.isdisjoint(hit.reads))):
                    known[url] = hit.html  # made for this render, or nothing it read changed
                elif job.all_now or (hit is not None and not hit.reads):
                    known[url] = rnd.page(planned, links)
                    self.rebuilt += 1
                else:
                    if hit is not None and not hit.pending:
                        self.pages[url] = dataclasses.replace(hit, pending=True)
                    later = deferred.get(url) if changed == set() else None  # nothing changed: the same page
                    known[url] = later if later is not None else Later(partial(rnd.page, planned, links))
                    pending.append(url)
        for url in [u for u in self.pages if u not in known]:
            del self.pages[url]
        self.pending = pending
        self._deferred = {u: known[u] for u in pending}  # type: ignore[misc]
        if self.assets is None or changed != set():
            self.assets = Later(partial(rnd.assets, plan))
        if job.all_now:  # the first render (the preview starts): learn the group's keys
            self.assets()
        known.update(job.static)  # static files over pages, data.json over all, as in build
        known[urls.DATA] = out.known[urls.DATA]
        out.complete(known, self.assets)
