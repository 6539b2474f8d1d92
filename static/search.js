/* Full-text search over the index written by newsarchive/search.py.
 *
 * The index is loaded with <script> elements (each file calls newsarchiveSearch(kind, key, data)),
 * because browsers block fetch() on file:// pages; paths are relative to the page, so the same
 * files work from disk, at a host's root and under a sub-path. Article text is untrusted: it is
 * only ever inserted as text nodes (highlights are <mark> elements holding text nodes).
 */
(function () {
  "use strict";

  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var TONES = { "\u0300": "2", "\u0301": "1", "\u0303": "3", "\u0309": "4", "\u0323": "5" };
  var TOKEN = /[\p{L}\p{N}]+/gu;
  var MARKS = /\p{M}/gu;
  var PAGE = 10;
  var PREFIX_WEIGHT = 0.5;
  var MAX_TERMS = 8;

  /* ---- shared with search.py: tokens, fold, signature, file names, postings ---- */

  function tokens(text) {
    return text.normalize("NFC").match(TOKEN) || [];
  }

  function fold(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(MARKS, "");
  }

  function signature(word) {
    var tone = "0";
    var kept = "";
    var chars = Array.from(word.toLowerCase().normalize("NFD"));
    for (var i = 0; i < chars.length; i++) {
      if (TONES[chars[i]]) tone = TONES[chars[i]];
      else kept += chars[i];
    }
    return kept.normalize("NFC") + tone;
  }

  function hasMarks(word) {
    return fold(word) !== word.toLowerCase();
  }

  function fileName(key) {
    if (/^[a-z0-9-]+$/.test(key)) return key;
    var bytes = new TextEncoder().encode(key);
    var hex = "_";
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return hex;
  }

  function facetKey(kind, value) {
    return kind + "-" + tokens(value).map(fold).join("-");
  }

  /* ---- loading index files with <script> ---- */

  var T = {};
  var received = {};
  var loading = {};
  var base = "";

  window.newsarchiveSearch = function (kind, key, data) {
    received[kind + ":" + key] = data;
  };

  function load(kind, key, path) {
    var id = kind + ":" + key;
    if (received.hasOwnProperty(id)) return Promise.resolve(received[id]);
    if (loading[id]) return loading[id];
    loading[id] = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = base + path;
      script.async = true;
      script.onload = function () {
        script.remove();
        if (received.hasOwnProperty(id)) resolve(received[id]);
        else reject(new Error("index file did not load: " + path));
      };
      script.onerror = function () {
        script.remove();
        delete loading[id];
        reject(new Error("index file missing: " + path));
      };
      document.head.appendChild(script);
    });
    return loading[id];
  }

  var meta = null;
  function loadMeta() {
    if (meta) return Promise.resolve(meta);
    return load("m", "", "meta.js").then(function (m) {
      meta = m;
      meta.shardSet = new Set(m.shards);
      meta.splitSet = new Set(m.split);
      meta.facetSet = new Set(m.facets);
      return m;
    });
  }

  // l.js, per document: BM25's length normalization and the rank of its year (loaded alongside
  // a query's first shards, since it is only needed to rank).
  var norm = null;
  var yearRank = null;
  function loadLengths() {
    if (norm) return Promise.resolve();
    return load("l", "", "l.js").then(function (l) {
      if (norm) return;
      var average = meta.n ? l.total / meta.n : 1;
      var lengths = new Float64Array(meta.n);
      var doc = 0;
      eachValue(l.len, function (length) {
        lengths[doc++] = 1 - meta.b + meta.b * (average ? length / average : 1);
      });
      yearRank = new Int32Array(meta.n);
      doc = 0;
      eachValue(l.year, function (rank) { yearRank[doc++] = rank; });
      norm = lengths;
    });
  }

  // Same score: newest year first, then URL (the order of ids).
  function byYear(a, b) {
    return yearRank[a] - yearRank[b] || a - b;
  }

  // Prefixes count code points, as Python slices do.
  function shardFor(term) {
    var chars = Array.from(term);
    var size = 1;
    var key = chars.slice(0, size).join("");
    while (meta.splitSet.has(key) && chars.length > size) key = chars.slice(0, ++size).join("");
    return meta.shardSet.has(key) ? key : null;
  }

  function loadShard(key) {
    return load("t", key, "t/" + fileName(key) + ".js");
  }

  // A documents file holds meta.dpf documents in id order.
  function loadDoc(id) {
    var number = Math.floor(id / meta.dpf);
    return load("d", number, "d/" + number + ".js").then(function (docs) {
      return docs[id - number * meta.dpf];
    });
  }

  function loadFacet(key) {
    if (!meta.facetSet.has(key)) return Promise.resolve(new Set());
    return load("f", key, "f/" + fileName(key) + ".js").then(function (data) {
      var set = new Set();
      eachId(data, function (doc) { set.add(doc); });
      return set;
    });
  }

  /* ---- query ---- */

  // typing: the query is being typed, so its last word may be unfinished and also matches as a
  // prefix ("mat tra" finds "Mặt trận"); a submitted query (Enter, ?q=) matches whole words only.
  function parseQuery(q, typing) {
    var seen = new Set();
    var terms = [];
    tokens(q).forEach(function (word) {
      var folded = fold(word);
      if (!folded || seen.has(folded)) return;
      seen.add(folded);
      terms.push({ word: word, folded: folded, sig: hasMarks(word) ? signature(word) : null });
    });
    terms = terms.slice(0, MAX_TERMS);
    if (terms.length && typing && !/\s$/.test(q)) terms[terms.length - 1].last = true;
    // adjacent words of the query, except an unfinished last word
    var words = tokens(q).map(fold).filter(Boolean);
    var last = terms.length && terms[terms.length - 1].last ? words.length - 1 : words.length;
    var pairs = new Set();
    for (var i = 0; i + 1 < last && pairs.size < MAX_TERMS; i++) pairs.add(words[i] + " " + words[i + 1]);
    terms.pairs = Array.from(pairs);
    return terms;
  }

  function idf(df) {
    return Math.log(1 + (meta.n - df + 0.5) / (df + 0.5));
  }

  function saturate(x) {
    return (x * (meta.k1 + 1)) / (x + meta.k1);
  }

  var DIGIT = new Int8Array(128).fill(-1);
  for (var di = 0; di < ALPHABET.length; di++) DIGIT[ALPHABET.charCodeAt(di)] = di;

  // Calls visit(value) for each number of an encoded list of plain numbers.
  function eachValue(data, visit) {
    var value = 0, shift = 0;
    for (var i = 0; i < data.length; i++) {
      var digit = DIGIT[data.charCodeAt(i)];
      value |= (digit & 31) << shift;
      if (digit & 32) { shift += 5; continue; }
      visit(value);
      value = 0; shift = 0;
    }
  }

  // Calls visit(doc, weight) for each posting of an encoded list, in doc order.
  function eachPosting(data, visit) {
    var value = 0, shift = 0, doc = 0, even = true;
    for (var i = 0; i < data.length; i++) {
      var digit = DIGIT[data.charCodeAt(i)];
      value |= (digit & 31) << shift;
      if (digit & 32) { shift += 5; continue; }
      if (even) doc += value; else visit(doc, value);
      even = !even;
      value = 0; shift = 0;
    }
  }

  // Calls visit(doc) for each id of an encoded id list (facets, pairs).
  function eachId(data, visit) {
    var value = 0, shift = 0, doc = 0;
    for (var i = 0; i < data.length; i++) {
      var digit = DIGIT[data.charCodeAt(i)];
      value |= (digit & 31) << shift;
      if (digit & 32) { shift += 5; continue; }
      doc += value;
      visit(doc);
      value = 0; shift = 0;
    }
  }

  function bucket(pair, buckets) {
    var bytes = new TextEncoder().encode(pair);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h % buckets;
  }

  var MATCHED = 1, WHOLE = 2, EXACT = 4;

  // Per document, for one query term: score (best of the terms it matches) and flags.
  function matchTerm(term, shard, scores, flags) {
    var n = meta.n;
    var weights = new Float64Array(n);
    var exact = new Uint8Array(n);
    var touched = new Int32Array(n);
    var candidates = [];
    if (shard) {
      if (Object.prototype.hasOwnProperty.call(shard, term.folded)) candidates.push([term.folded, true]);
      if (term.last && !meta.splitSet.has(shardFor(term.folded))) {
        Object.keys(shard).forEach(function (t) {
          if (t !== term.folded && t.lastIndexOf(term.folded, 0) === 0) candidates.push([t, false]);
        });
      }
    }
    candidates.forEach(function (c) {
      var count = 0;
      shard[c[0]].forEach(function (v) {
        var isExact = c[1] && term.sig !== null && v[0] === term.sig;
        eachPosting(v[1], function (doc, w) {
          if (weights[doc] === 0) touched[count++] = doc;
          weights[doc] += w;
          if (isExact) exact[doc] = 1;
        });
      });
      var termIdf = idf(count);
      var factor = c[1] ? 1 : PREFIX_WEIGHT;
      for (var i = 0; i < count; i++) {
        var doc = touched[i];
        var score = termIdf * saturate(weights[doc] / norm[doc]) * factor;
        if (score > scores[doc]) scores[doc] = score;
        flags[doc] |= MATCHED | (c[1] ? WHOLE : 0) | (exact[doc] ? EXACT : 0);
        weights[doc] = 0;
        exact[doc] = 0;
      }
    });
  }

  function rank(terms, shards, pairFiles, filter) {
    var n = meta.n;
    var together = new Uint8Array(n);
    terms.pairs.forEach(function (pair, i) {
      var file = pairFiles[i];
      if (file && Object.prototype.hasOwnProperty.call(file, pair)) {
        eachId(file[pair], function (doc) { together[doc]++; });
      }
    });
    var scores = terms.map(function () { return new Float64Array(n); });
    var flags = terms.map(function () { return new Uint8Array(n); });
    terms.forEach(function (term, i) { matchTerm(term, shards[i], scores[i], flags[i]); });
    var results = [];
    for (var doc = 0; doc < n; doc++) {
      if (filter && !filter.has(doc)) continue;
      var r = null;
      for (var i = 0; i < terms.length; i++) {
        var f = flags[i][doc];
        if (!f) { r = null; break; }
        if (!r) r = { doc: doc, score: 0, exact: 0, whole: 0, together: together[doc] };
        r.score += scores[i][doc];
        if (f & EXACT) r.exact++;
        if (f & WHOLE) r.whole++;
      }
      if (r) results.push(r);
    }
    results.sort(function (a, b) {
      return b.exact - a.exact || b.together - a.together || b.whole - a.whole ||
        b.score - a.score || byYear(a.doc, b.doc);
    });
    return results;
  }

  function search(q, filters, typing) {
    var terms = parseQuery(q, typing);
    return loadMeta().then(function () {
      var facetLoads = filters.map(loadFacet);
      var shardLoads = terms.map(function (t) {
        var key = shardFor(t.folded);
        return key === null ? Promise.resolve(null) : loadShard(key);
      });
      T.meta = performance.now();
      var pairLoads = terms.pairs.map(function (pair) {
        if (!meta.pairs) return Promise.resolve(null);
        var number = bucket(pair, meta.pairs);
        return load("p", number, "p/" + number + ".js");
      });
      return Promise.all([Promise.all(facetLoads), Promise.all(shardLoads), Promise.all(pairLoads),
        loadLengths()]);
    }).then(function (loaded) {
      T.shards = performance.now();
      var filter = null;
      loaded[0].forEach(function (set) {
        if (filter === null) { filter = set; return; }
        var both = new Set();
        set.forEach(function (d) { if (filter.has(d)) both.add(d); });
        filter = both;
      });
      if (!terms.length) {
        var all = filter ? Array.from(filter).sort(byYear) : [];
        return { terms: terms, results: all.map(function (d) { return { doc: d }; }) };
      }
      var ranked = rank(terms, loaded[1], loaded[2], filter);
      T.rank = performance.now();
      return { terms: terms, results: ranked };
    });
  }

  /* ---- excerpts and highlights, built from text nodes ---- */

  function termMatch(word, terms) {
    var folded = fold(word);
    for (var i = 0; i < terms.length; i++) {
      if (folded === terms[i].folded) return i;
      if (terms[i].last && folded.lastIndexOf(terms[i].folded, 0) === 0) return i;
    }
    return -1;
  }

  // [{start, end, term}] for every word of text that matches a query term.
  function matches(text, terms) {
    var out = [];
    if (!terms.length) return out;
    var re = new RegExp(TOKEN.source, "gu");
    var m;
    while ((m = re.exec(text)) !== null) {
      var t = termMatch(m[0], terms);
      if (t >= 0) out.push({ start: m.index, end: m.index + m[0].length, term: t });
    }
    return out;
  }

  function appendMarked(parent, text, from, to, found) {
    var at = from;
    found.forEach(function (f) {
      if (f.start < from || f.end > to) return;
      if (f.start > at) parent.appendChild(document.createTextNode(text.slice(at, f.start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(f.start, f.end);
      parent.appendChild(mark);
      at = f.end;
    });
    if (at < to) parent.appendChild(document.createTextNode(text.slice(at, to)));
  }

  var EXCERPT = 220;

  function excerpt(parent, text, terms) {
    text = text.normalize("NFC").replace(/\s+/g, " ").trim();
    var found = matches(text, terms);
    var start = 0;
    if (found.length) {
      // the window of EXCERPT characters that holds the most distinct query terms, and then the
      // most of them side by side in the query's order
      var best = -1;
      for (var i = 0; i < found.length; i++) {
        var seen = {};
        var count = 0;
        for (var j = i; j < found.length && found[j].end - found[i].start <= EXCERPT * 0.7; j++) {
          if (!seen[found[j].term]) { seen[found[j].term] = true; count++; }
          if (j > i && found[j].term === found[j - 1].term + 1 &&
              /^\s+$/.test(text.slice(found[j - 1].end, found[j].start))) count += 0.5;
        }
        if (count > best) { best = count; start = found[i].start; }
      }
      start = Math.max(0, start - 60);
      if (start > 0) {
        var space = text.indexOf(" ", start);
        start = space >= 0 && space < start + 30 ? space + 1 : start;
      }
    }
    var end = Math.min(text.length, start + EXCERPT);
    if (end < text.length) {
      var cut = text.lastIndexOf(" ", end);
      if (cut > start + EXCERPT / 2) end = cut;
    }
    if (start > 0) parent.appendChild(document.createTextNode("… "));
    appendMarked(parent, text, start, end, found);
    if (end < text.length) parent.appendChild(document.createTextNode(" …"));
  }

  /* ---- page ---- */

  function init() {
    var form = document.getElementById("search-form");
    if (!form) return;
    base = form.getAttribute("data-index") || "search/";
    var input = form.querySelector("input[name=q]");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    var root = form.getAttribute("data-root") || "";
    var msg = function (name) { return form.getAttribute("data-msg-" + name) || ""; };

    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    selects.forEach(function (s) {
      var v = params.get(s.name);
      if (v && s.querySelector('option[value="' + CSS.escape(v) + '"]')) s.value = v;
    });

    var generation = 0;
    var current = null;
    var shown = 0;

    function filterKeys() {
      var keys = [];
      selects.forEach(function (s) {
        var option = s.options[s.selectedIndex];
        if (option && option.value) keys.push(facetKey(s.getAttribute("data-facet"), option.getAttribute("data-key") || option.textContent));
      });
      return keys;
    }

    function updateUrl() {
      var p = new URLSearchParams();
      if (input.value.trim()) p.set("q", input.value.trim());
      selects.forEach(function (s) { if (s.value) p.set(s.name, s.value); });
      var qs = p.toString();
      try {
        window.history.replaceState(null, "", qs ? "?" + qs : window.location.pathname);
      } catch (e) { /* file:// in some browsers: the address bar just stays as it was */ }
    }

    function place(p) {
      var parts = [];
      if (p[0]) parts.push(p[0]);
      if (p[1]) parts.push(p[1]);
      var text = parts.join(", ");
      if (p[2] && p[2] !== p[1]) {
        var now = msg("now").replace("{province}", p[2]);
        text += text ? " (" + now + ")" : now;
      }
      return text;
    }

    function fillDoc(li, doc, terms) {
      li.removeAttribute("aria-busy");
      var h = document.createElement("h2");
      h.className = "search-result-title";
      var a = document.createElement("a");
      a.href = root + doc.u;
      appendMarked(a, doc.t, 0, doc.t.length, matches(doc.t, terms));
      h.appendChild(a);
      li.appendChild(h);
      var info = [doc.d, place(doc.p)].filter(Boolean).join(" · ");
      if (info) {
        var pm = document.createElement("p");
        pm.className = "search-result-meta";
        pm.textContent = info;
        li.appendChild(pm);
      }
      var px = document.createElement("p");
      px.className = "search-result-excerpt";
      excerpt(px, doc.x, terms);
      li.appendChild(px);
    }

    // Each result's item is placed at once, in rank order, and filled when its document arrives.
    function showMore(gen) {
      var page = current.results.slice(shown, shown + PAGE);
      shown += page.length;
      more.hidden = true;
      var first = true;
      return Promise.all(page.map(function (r) {
        var li = document.createElement("li");
        li.className = "search-result";
        li.setAttribute("aria-busy", "true");
        list.appendChild(li);
        return loadDoc(r.doc).then(function (doc) {
          if (gen !== generation) return;
          fillDoc(li, doc, current.terms);
          if (first) { first = false; T.first = performance.now(); }
        });
      })).then(function () {
        if (gen !== generation) return;
        more.hidden = shown >= current.results.length;
        T.done = performance.now();
        window.newsarchiveSearch.lastMs = T.first - started;
        window.newsarchiveSearch.timings = { start: started, meta: T.meta, shards: T.shards, rank: T.rank, first: T.first, done: T.done };
        form.setAttribute("data-state", "done");
      });
    }

    var started = 0;
    function run(typing) {
      var gen = ++generation;
      T = {};
      started = performance.now();
      var q = input.value;
      var filters = filterKeys();
      form.setAttribute("data-state", "busy");
      updateUrl();
      if (!tokens(q).length && !filters.length) {
        list.textContent = "";
        status.textContent = "";
        more.hidden = true;
        form.setAttribute("data-state", "idle");
        return Promise.resolve();
      }
      return search(q, filters, typing === true).then(function (found) {
        if (gen !== generation) return;
        current = found;
        shown = 0;
        list.textContent = "";
        var n = found.results.length;
        status.textContent = n ? msg("count").replace("{count}", n.toLocaleString(document.documentElement.lang || "vi")) : msg("none");
        if (!n) { more.hidden = true; form.setAttribute("data-state", "done"); return; }
        return showMore(gen);
      }).catch(function (err) {
        if (gen !== generation) return;
        status.textContent = msg("error");
        form.setAttribute("data-state", "error");
        if (window.console) console.warn(err);
      });
    }

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(true); }, 150);
    });
    selects.forEach(function (s) { s.addEventListener("change", run); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(timer);
      run();
    });
    more.addEventListener("click", function () { showMore(generation); });
    form.setAttribute("data-ready", "1");
    run();
  }

  window.newsarchiveSearchApi = { tokens: tokens, fold: fold, signature: signature, fileName: fileName, facetKey: facetKey,
    eachPosting: eachPosting, eachId: eachId, eachValue: eachValue, bucket: bucket };

  // After DOMContentLoaded, so that search/meta.js, deferred after this file, has already run.
  if (document.readyState === "complete") init();
  else document.addEventListener("DOMContentLoaded", init);
})();
