/* okrsite default theme: offline full-text search (the header box on every page, and search.html).

   The index (okrsite/render/search.py) is a set of scripts under assets/search/, each calling
   okrsiteSearch(kind, number, data): a manifest ("m"), term shards ("t"), document fragments ("d")
   and body text parts ("x"). Scripts, not JSON requests: those fail from file://, a
   <script src> loads anywhere. A query loads the manifest, the shards whose term range holds its
   words, then the fragments and text parts of the results it shows; nothing else.

   Words are folded as in okrsite/render/search_text.py: NFKD, lower case, NFKD, combining marks dropped,
   runs of letters and digits. Page text is only ever put in the page as text nodes. */
(function () {
  "use strict";
  var root = document.documentElement;
  var prefix = root.getAttribute("data-root") || "";
  var BASE = prefix + "assets/search/";
  var QUERY_BYTES = 655360; // term shards one query may load (its results' fragments come on top, ~1 MiB in all);
                            // past it, the last word's later completions are left out
  var MIN_PREFIX = 2; // a last word shorter than this matches whole words only
  var SNIPPET = 220; // characters of text around the first match
  var POP_HITS = 8;
  var PAGE_HITS = 20;

  var store = { m: {}, t: {}, d: {}, x: {} };
  var loads = {};
  var manifest = null;

  window.okrsiteSearch = function (kind, number, data) {
    if (store[kind]) store[kind][number] = data;
  };

  function load(kind, number) {
    var key = kind + "/" + number;
    if (loads[key]) return loads[key];
    loads[key] = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      // the manifest's key changes with the index: a cached shard never meets a newer manifest
      s.src = kind === "m" ? BASE + "manifest.js" : BASE + kind + "/" + number + ".js?v=" + manifest.key;
      s.async = true;
      s.onload = function () {
        s.remove();
        if (store[kind][number] !== undefined) resolve(store[kind][number]);
        else { delete loads[key]; reject(new Error("search: " + key + " did not register")); }
      };
      s.onerror = function () { s.remove(); delete loads[key]; reject(new Error("search: " + key + " did not load")); };
      document.head.appendChild(s);
    });
    return loads[key];
  }

  function loadManifest() {
    return load("m", 0).then(function (m) { manifest = m; return m; });
  }

  /* ---- words ----------------------------------------------------------------------------------- */
  var MARKS = /\p{M}/gu;
  var WORD = /[\p{L}\p{N}]+/gu;
  var TEXT_WORD = /[\p{L}\p{N}\p{M}]+/gu; // a word of page text as shown, marks and all

  function fold(s) { return String(s).normalize("NFKD").toLowerCase().normalize("NFKD").replace(MARKS, ""); }
  function terms(s) { return fold(s).match(WORD) || []; }
  window.okrsiteSearch.terms = terms; // for tests: must agree with search_text.terms in Python

  /* A query: every word must match; the last one also as the start of a longer word (as you type),
     unless the query ends with a space. */
  function parse(q) {
    var words = terms(q), seen = {}, out = [];
    var open = !/\s$/.test(q);
    words.forEach(function (w, i) {
      var pre = open && i === words.length - 1 && w.length >= MIN_PREFIX;
      var key = (pre ? "^" : "=") + w;
      if (seen[key]) return;
      seen[key] = true;
      out.push({ term: w, prefix: pre });
    });
    return out;
  }

  function matcher(query) {
    return function (word) {
      var ts = terms(word);
      for (var i = 0; i < ts.length; i++) {
        for (var j = 0; j < query.length; j++) {
          var q = query[j];
          if (ts[i] === q.term || (q.prefix && ts[i].lastIndexOf(q.term, 0) === 0)) return true;
        }
      }
      return false;
    };
  }

  /* ---- term shards ----------------------------------------------------------------------------- */
  function shardOf(term) { // the last shard whose first term is <= term
    var b = manifest.bounds, lo = 0, hi = b.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (b[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // Which shards to load: each word's own shard, then shards of longer completions while within budget.
  function plan(query) {
    var need = [], extra = [], bytes = 0, have = {}, partial = false;
    var take = function (i) { if (!have[i]) { have[i] = true; need.push(i); bytes += manifest.sizes[i]; } };
    query.forEach(function (q) { if (manifest.bounds.length) take(shardOf(q.term)); });
    query.forEach(function (q) {
      if (!q.prefix || !manifest.bounds.length) return;
      for (var i = shardOf(q.term) + 1, last = shardOf(q.term + "\uffff"); i <= last; i++) extra.push(i);
    });
    extra.forEach(function (i) { // in term order: the completions searched are the first ones, without gaps
      if (partial || have[i]) return;
      if (bytes + manifest.sizes[i] > QUERY_BYTES) partial = true;
      else take(i);
    });
    return { shards: need, partial: partial };
  }

  // doc -> [field, tf, part, exact] for one query word, from the loaded shards
  function postings(q, shards) {
    var hits = new Map();
    var add = function (entry, exact) {
      var list = Array.isArray(entry[0]) ? entry[0] : entry;
      var parts = Array.isArray(entry[0]) ? entry[1] : [];
      var partOf = {};
      for (var k = 0; k < parts.length; k += 2) partOf[parts[k]] = parts[k + 1];
      var v = 0;
      for (var i = 0; i < list.length; i++) {
        v += list[i];
        var doc = Math.floor(v / 256), field = v & 3, tf = (v >> 2) & 63, part = partOf[i] || 0;
        var h = hits.get(doc);
        if (!h) hits.set(doc, [field, tf, part, exact]);
        else { h[0] = Math.max(h[0], field); h[1] += tf; h[2] = Math.min(h[2], part); h[3] = h[3] || exact; }
      }
    };
    shards.forEach(function (n) {
      var shard = store.t[n];
      if (!shard) return;
      if (!q.prefix) { if (Object.prototype.hasOwnProperty.call(shard, q.term)) add(shard[q.term], true); return; }
      Object.keys(shard).forEach(function (t) {
        if (t.lastIndexOf(q.term, 0) === 0) add(shard[t], t === q.term);
      });
    });
    return hits;
  }

  /* Every doc holding every word, best first: title hits over key-result-title hits over body hits
     (summed over the words), then whole-word over as-you-type matches, then how often, then site order. */
  function rank(query, shards) {
    var maps = query.map(function (q) { return postings(q, shards); });
    maps.sort(function (a, b) { return a.size - b.size; });
    var out = [];
    if (!maps.length) return out;
    maps[0].forEach(function (h0, doc) {
      var field = 0, exact = 0, tf = 0;
      for (var i = 0; i < maps.length; i++) {
        var h = i ? maps[i].get(doc) : h0;
        if (!h) return;
        field += h[0]; exact += h[3] ? 1 : 0; tf += h[1];
      }
      out.push([doc, field, exact, tf, h0[2]]); // the snippet shows the rarest word's part
    });
    out.sort(function (a, b) { return b[1] - a[1] || b[2] - a[2] || b[3] - a[3] || a[0] - b[0]; });
    return out;
  }

  function search(q) {
    var query = parse(q);
    if (!query.length) return Promise.resolve({ query: query, hits: [], partial: false });
    return loadManifest().then(function () {
      var p = plan(query);
      return Promise.all(p.shards.map(function (n) { return load("t", n); })).then(function () {
        return { query: query, hits: rank(query, p.shards), partial: p.partial };
      });
    });
  }

  /* ---- results --------------------------------------------------------------------------------- */
  // each hit's fragment [title, type, url, status, context, text runs, key results], and its text part
  function details(hits) {
    var per = manifest.docsPerFile;
    var files = {};
    hits.forEach(function (h) { files[Math.floor(h[0] / per)] = true; });
    return Promise.all(Object.keys(files).map(function (f) { return load("d", +f); })).then(function () {
      var docs = hits.map(function (h) { return { meta: store.d[Math.floor(h[0] / per)][h[0] % per], part: h[4] }; });
      return Promise.all(docs.map(function (d) {
        var at = locate(d.meta[5], d.part);
        if (!at) return null;
        return load("x", at[0]).then(function (texts) { d.text = texts[at[1]]; });
      })).then(function () { return docs; });
    });
  }

  function locate(runs, part) { // runs: [file, first, count, …]; the last part if `part` is past the end
    var last = null;
    for (var i = 0; i < runs.length; i += 3) {
      if (part < runs[i + 2]) return [runs[i], runs[i + 1] + part];
      part -= runs[i + 2];
      last = [runs[i], runs[i + 1] + runs[i + 2] - 1];
    }
    return last;
  }

  // `text` appended to `el` as text nodes, every matching word wrapped in <mark>
  function marked(el, text, match) {
    var last = 0, m;
    TEXT_WORD.lastIndex = 0;
    while ((m = TEXT_WORD.exec(text))) {
      if (!match(m[0])) continue;
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      el.appendChild(mark);
      last = TEXT_WORD.lastIndex;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
    return el;
  }

  // A window of the text around its first matching word, cut at spaces
  function windowOf(text, match) {
    var at = 0, m;
    TEXT_WORD.lastIndex = 0;
    while ((m = TEXT_WORD.exec(text))) { if (match(m[0])) { at = m.index; break; } }
    var start = Math.max(0, at - Math.floor(SNIPPET / 3));
    if (start > 0) { var sp = text.indexOf(" ", start); start = sp >= 0 && sp < at ? sp + 1 : at; }
    var end = Math.min(text.length, start + SNIPPET);
    if (end < text.length) { var sp2 = text.lastIndexOf(" ", end); if (sp2 > at) end = sp2; }
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    if (text !== undefined) s.textContent = text;
    return s;
  }

  function chipNode(status) {
    var st = status && manifest.statuses[status];
    if (!st) return null;
    var chip = span("chip tone-" + st[1]);
    var icon = span("chip-icon", st[2]);
    icon.setAttribute("aria-hidden", "true");
    chip.appendChild(icon);
    chip.appendChild(document.createTextNode(st[0]));
    return chip;
  }

  function matches(text, match) {
    var n = 0, m;
    TEXT_WORD.lastIndex = 0;
    while ((m = TEXT_WORD.exec(text))) if (match(m[0])) n++;
    return n;
  }

  // The key result whose title matches most (the first of equals), or null
  function bestKr(krs, match) {
    var best = null, most = 0;
    (krs || []).forEach(function (kr) { var n = matches(kr[0], match); if (n > most) { most = n; best = kr; } });
    return best;
  }

  // One result; a hit on a key result's title links to that key result and names it under the title
  function hitNode(doc, match, tag) {
    var meta = doc.meta;
    var kr = bestKr(meta[6], match);
    var a = document.createElement("a");
    a.className = "hit";
    a.href = prefix + meta[2] + (kr && !matches(meta[0], match) ? "#" + kr[1] : "");
    a.appendChild(marked(span("hit-title"), meta[0], match));
    a.appendChild(span("hit-type", meta[1]));
    var chip = chipNode(meta[3]);
    if (chip) a.appendChild(chip);
    if (meta[4]) a.appendChild(marked(span("hit-meta"), meta[4], match));
    if (kr) {
      var line = span("hit-kr");
      line.appendChild(span("hit-kr-label", "Key result"));
      marked(line, kr[0], match);
      var krChip = chipNode(kr[2]);
      if (krChip) line.appendChild(krChip);
      a.appendChild(line);
    }
    if (doc.text) a.appendChild(marked(span("hit-text"), windowOf(doc.text, match), match));
    if (tag) { var li = document.createElement(tag); li.appendChild(a); return li; }
    return a;
  }

  function quoted(q) { return "“" + q + "”"; }

  /* ---- the header box -------------------------------------------------------------------------- */
  function setupHeaderSearch() {
    var input = document.getElementById("search-q");
    var pop = document.getElementById("search-pop");
    if (!input || !pop) return;
    var selected = -1, generation = 0;
    var close = function () { pop.hidden = true; input.setAttribute("aria-expanded", "false"); selected = -1; };
    var mark = function () {
      pop.querySelectorAll(".hit").forEach(function (h, i) {
        h.setAttribute("aria-selected", i === selected ? "true" : "false");
        if (i === selected) h.scrollIntoView({ block: "nearest" });
      });
    };
    var show = function (nodes) {
      pop.textContent = "";
      nodes.forEach(function (n) { pop.appendChild(n); });
      selected = -1;
      pop.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };
    var note = function (text) {
      var p = document.createElement("p");
      p.className = "muted small search-note";
      p.textContent = text;
      return p;
    };
    var update = function () {
      var q = input.value.trim(), mine = ++generation;
      if (!q) { close(); return; }
      search(input.value).then(function (r) {
        if (mine !== generation) return null;
        return details(r.hits.slice(0, POP_HITS)).then(function (docs) {
          if (mine !== generation) return;
          var match = matcher(r.query);
          var nodes = docs.map(function (d, i) {
            var node = hitNode(d, match);
            node.setAttribute("role", "option");
            node.id = "search-hit-" + i;
            return node;
          });
          if (!nodes.length) nodes.push(note("Nothing found for " + quoted(q) + "."));
          else if (r.hits.length > POP_HITS) {
            var all = document.createElement("a");
            all.className = "hit hit-all";
            all.setAttribute("role", "option");
            all.href = prefix + "search.html?q=" + encodeURIComponent(q);
            all.textContent = "All " + r.hits.length.toLocaleString("en") + " results for " + quoted(q) + " →";
            nodes.push(all);
          }
          show(nodes);
        });
      }).catch(function () { if (mine === generation) show([note("The search index could not be loaded.")]); });
    };
    input.addEventListener("focus", function () { loadManifest().catch(function () {}); });
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (e) {
      var hits = pop.querySelectorAll(".hit");
      if (e.key === "ArrowDown" && hits.length) { selected = (selected + 1) % hits.length; mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp" && hits.length) { selected = (selected - 1 + hits.length) % hits.length; mark(); e.preventDefault(); }
      else if (e.key === "Enter" && selected >= 0 && hits[selected]) { e.preventDefault(); location.href = hits[selected].href; }
      else if (e.key === "Escape") { close(); }
    });
    document.addEventListener("click", function (e) { if (!input.form.contains(e.target)) close(); });
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); input.focus(); }
    });
  }

  /* ---- search.html ----------------------------------------------------------------------------- */
  function setupSearchPage() {
    var input = document.getElementById("search-page-q");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    var more = document.getElementById("search-more");
    if (!input || !list || !status) return;
    var generation = 0, result = null, shown = 0;
    var count = function (n) { return n.toLocaleString("en") + " result" + (n === 1 ? "" : "s"); };
    var showMore = function (mine) {
      var batch = result.hits.slice(shown, shown + PAGE_HITS);
      return details(batch).then(function (docs) {
        if (mine !== generation) return;
        var match = matcher(result.query);
        docs.forEach(function (d) { list.appendChild(hitNode(d, match, "li")); });
        shown += batch.length;
        if (more) more.hidden = shown >= result.hits.length;
      });
    };
    var run = function () {
      var q = input.value.trim(), mine = ++generation;
      list.textContent = "";
      shown = 0;
      if (more) more.hidden = true;
      try { history.replaceState(null, "", q ? "?q=" + encodeURIComponent(q) : location.pathname); } catch (e) { /* file:// may refuse */ }
      if (!q) { status.textContent = "Type a word: every objective, key result, KPI, unit and page is searched, titles and text."; return; }
      status.textContent = "Searching…";
      search(input.value).then(function (r) {
        if (mine !== generation) return null;
        result = r;
        if (!r.hits.length) { status.textContent = "Nothing found for " + quoted(q) + "."; return null; }
        return showMore(mine).then(function () {
          if (mine !== generation) return;
          status.textContent = count(r.hits.length) + " for " + quoted(q) +
            (r.partial ? " (keep typing: not every longer word was searched)" : "");
        });
      }).catch(function () { if (mine === generation) status.textContent = "The search index could not be loaded."; });
    };
    if (more) more.addEventListener("click", function () { if (result) showMore(generation); });
    input.value = new URLSearchParams(location.search).get("q") || "";
    input.addEventListener("input", run);
    input.form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    run();
  }

  function start() {
    setupHeaderSearch();
    setupSearchPage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
