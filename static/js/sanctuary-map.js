/* Sanctuary Map: vector-tile layers, styling lookups, hover and click, in the browser.
 *
 * Boundaries come from one PMTiles archive (a layer per Census level in every tile) read with the
 * `pmtiles` library and drawn on canvas by `protomaps-leaflet`; both are self-hosted npm packages.
 * What a boundary means under the current filters arrives with every render as small
 * lookups (`layer:geoid` -> category); the tiles themselves never change with the filters.
 *
 * Safety: every string shown comes from JSON data and reaches the page through
 * `textContent`; links are made only from http(s) URLs.
 */
(function (global) {
  'use strict';
  var SM = global.SanctuaryMap = global.SanctuaryMap || {};
  var LAYER_ORDER = ['state', 'county', 'place', 'unsd', 'elsd', 'scsd'];
  var SOURCE = 'boundaries';  // the one tile source: every layer is a data layer of its tiles

  /* ---------------------------------------------------------------- archives */
  // One archive object per URL for the whole page (a snapshot page may draw several maps): its header,
  // directories and tile bytes are fetched once.
  var archives = SM._archives = SM._archives || {};

  function BytesSource(bytes, key) { this.bytes = bytes; this.key = key; }
  BytesSource.prototype.getKey = function () { return this.key; };
  BytesSource.prototype.getBytes = function (offset, length) {
    return Promise.resolve({data: this.bytes.buffer.slice(this.bytes.byteOffset + offset, this.bytes.byteOffset + offset + length)});
  };

  function decodeBase64(b64) {
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // A served archive: its first read (header and root directory) may already be under way, started from the page's
  // head (mapping.prefetch_script); that answer is used once, and every other read is an ordinary range request.
  function servedSource(url) {
    var inner = new pmtiles.FetchSource(url);
    var early = (global.SanctuaryMapPrefetch || {})[url];
    if (!early) return inner;
    return {
      getKey: function () { return url; },
      getBytes: function (offset, length, signal, etag) {
        var got = early;
        early = null;
        if (!got || offset !== 0 || length !== got.bytes) return inner.getBytes(offset, length, signal, etag);
        var again = function () { return inner.getBytes(offset, length, signal, etag); };
        return got.response.then(function (r) {
          if (r.status !== 206) return again();
          var tag = r.headers.get('Etag');
          if (tag && tag.indexOf('W/') === 0) tag = null;
          return r.arrayBuffer().then(function (data) {
            return {data: data, etag: tag || undefined, cacheControl: r.headers.get('Cache-Control') || undefined,
                    expires: r.headers.get('Expires') || undefined};
          });
        }, again);
      }
    };
  }

  function archive(spec) {
    // spec: {url: "..."} (served) or {b64: "...", key: "..."} (embedded in a snapshot)
    var key = spec.url || spec.key;
    if (!archives[key]) {
      var p = new pmtiles.PMTiles(spec.url ? servedSource(spec.url) : new BytesSource(decodeBase64(spec.b64), key));
      var tiles = {};
      archives[key] = {
        getZxy: function (z, x, y) {  // memoised: every layer drawn from this archive shares the bytes
          var k = z + '/' + x + '/' + y;
          if (!tiles[k]) tiles[k] = p.getZxy(z, x, y).catch(function (e) { delete tiles[k]; throw e; });
          return tiles[k];
        }
      };
    }
    return archives[key];
  }

  /* ---------------------------------------------------------------- styling */
  function researchedOn(cfg, layer, geoid) {
    return (cfg.researched && cfg.researched[layer]) ? cfg.researched[layer][geoid] : undefined;
  }

  function codeOf(cfg, layer, geoid) {
    var lk = cfg.lookup[layer];
    return lk ? lk[geoid] : undefined;
  }

  // The paint rules of one group of layers (policy stance, coverage, 287(g), federal lists, base).
  function rules(cfg, group) {
    var out = [];
    var colours = cfg.colours;
    var ink = cfg.theme;  // the map furniture's colours (light or dark snapshot), from vocab.THEMES
    group.layers.forEach(function (layer) {
      var style = cfg.styles[layer];
      if (group.kind === 'policy') {
        out.push({
          dataSource: SOURCE, dataLayer: layer,
          filter: function (z, f) {
            var hit = codeOf(cfg, layer, f.props.g) !== undefined;
            // Observable by the benchmark: when the first policy polygon is painted.
            if (hit && SM.firstPolicyPaint === undefined) SM.firstPolicyPaint = performance.now();
            return hit;
          },
          symbolizer: new protomapsL.PolygonSymbolizer({
            fill: function (z, f) { return colours[codeOf(cfg, layer, f.props.g)] || '#999'; },
            opacity: style.fill, stroke: function (z, f) { return colours[codeOf(cfg, layer, f.props.g)] || '#999'; },
            width: 0
          })
        });
        out.push({
          dataSource: SOURCE, dataLayer: layer,
          filter: function (z, f) { return codeOf(cfg, layer, f.props.g) !== undefined; },
          symbolizer: new protomapsL.LineSymbolizer({
            color: function (z, f) { return colours[codeOf(cfg, layer, f.props.g)] || '#999'; },
            width: style.width, dash: style.dash || undefined, dashColor: function (z, f) { return colours[codeOf(cfg, layer, f.props.g)] || '#999'; },
            dashWidth: style.width
          })
        });
        // Researched, nothing found: grey and dotted, unlike a boundary nobody has looked into yet.
        out.push({
          dataSource: SOURCE, dataLayer: layer,
          filter: function (z, f) { return codeOf(cfg, layer, f.props.g) === undefined && !!researchedOn(cfg, layer, f.props.g); },
          symbolizer: new protomapsL.PolygonSymbolizer({fill: ink.researched, opacity: 0.12, stroke: ink.researched, width: 0})
        });
        out.push({
          dataSource: SOURCE, dataLayer: layer,
          filter: function (z, f) { return codeOf(cfg, layer, f.props.g) === undefined && !!researchedOn(cfg, layer, f.props.g); },
          symbolizer: new protomapsL.LineSymbolizer({color: ink.researched, width: 1.4, dash: [1.5, 3], dashColor: ink.researched, dashWidth: 1.4})
        });
        // Every other boundary of the layer: a faint outline, so it can be found, hovered and clicked.
        out.push({
          dataSource: SOURCE, dataLayer: layer, minzoom: style.outline_from,
          filter: function (z, f) { return codeOf(cfg, layer, f.props.g) === undefined && !researchedOn(cfg, layer, f.props.g); },
          symbolizer: new protomapsL.LineSymbolizer({color: ink.outline, width: 0.5, opacity: 0.8})
        });
      } else if (group.kind === 'coverage') {
        out.push({
          dataSource: SOURCE, dataLayer: layer,
          filter: function (z, f) { return !!coverageCode(cfg, f.props.g); },
          symbolizer: new protomapsL.PolygonSymbolizer({
            fill: function (z, f) { return colours[coverageCode(cfg, f.props.g)] || '#999'; },
            opacity: 0.22, stroke: ink.outline, width: 0.3
          })
        });
        out.push({dataSource: SOURCE, dataLayer: layer, symbolizer: new protomapsL.LineSymbolizer({color: ink.coverageLine, width: 0.3})});
      } else if (group.kind === 'agreements') {
        // Agreements are outlines, never fills: a colour family apart from the stance fills, and a line style
        // per model (solid, dashed, dotted), so no agreement can be read as a stance or as another model.
        Object.keys(cfg.modelColours).forEach(function (model) {
          var dash = (cfg.modelDash || {})[model];
          out.push({
            dataSource: SOURCE, dataLayer: layer,
            filter: function (z, f) { return (cfg.agreements[layer] || {})[f.props.g] === model; },
            symbolizer: new protomapsL.LineSymbolizer({
              color: cfg.modelColours[model], width: layer === 'county' ? 2.4 : 2.8, dash: dash || undefined,
              dashColor: cfg.modelColours[model], dashWidth: layer === 'county' ? 2.4 : 2.8
            })
          });
        });
      } else if (group.kind === 'federal') {
        // Listed counties and cities are hatched; a listed state only gets the dashed outline (a hatch over a
        // whole state would hide everything else).
        if (layer !== 'state') out.push({
          dataSource: SOURCE, dataLayer: layer,
          filter: function (z, f) { return !!(cfg.federal[layer] || {})[f.props.g]; },
          symbolizer: new protomapsL.PolygonSymbolizer({pattern: hatch(ink.ink), opacity: 0.7})
        });
        out.push({
          dataSource: SOURCE, dataLayer: layer,
          filter: function (z, f) { return !!(cfg.federal[layer] || {})[f.props.g]; },
          symbolizer: new protomapsL.LineSymbolizer({color: ink.ink, width: 1.6, dash: [4, 3], dashColor: ink.ink, dashWidth: 1.6})
        });
      } else if (group.kind === 'base') {
        out.push({dataSource: SOURCE, dataLayer: layer, symbolizer: new protomapsL.PolygonSymbolizer({fill: ink.base, opacity: cfg.baseOpacity})});
        out.push({dataSource: SOURCE, dataLayer: layer, symbolizer: new protomapsL.LineSymbolizer({color: ink.baseLine, width: 0.8})});
      }
    });
    // A group switched off in the layer control paints nothing (its rules stay, so switching back is instant).
    out.forEach(function (rule) {
      var inner = rule.filter;
      rule.filter = function (z, f) { return SM._visible[group.key] !== false && (!inner || inner(z, f)); };
    });
    return out;
  }

  // One pattern canvas per colour for the page (each layer's federal rule shares it).
  var hatches = {};
  function hatch(colour) {
    if (!hatches[colour]) {
      hatches[colour] = protomapsL.createPattern(8, 8, function (canvas, ctx) {
        ctx.strokeStyle = colour; ctx.lineWidth = 1; ctx.globalAlpha = 0.45;
        ctx.beginPath(); ctx.moveTo(0, 8); ctx.lineTo(8, 0); ctx.stroke();
      });
    }
    return hatches[colour];
  }

  // A county's coverage code as sent (its own, its places' and districts', and its state's instruments, combined in
  // Python): the browser paints results and holds no rule of its own.
  function coverageCode(cfg, countyGeoid) {
    return cfg.coverage[countyGeoid] || undefined;
  }

  // One canvas layer draws every group: each archive is fetched and decoded once, whatever is shown.
  SM.tileLayer = function (cfg, groups) {
    var sources = {};
    var spec = cfg.archive;  // an embedded subset says its deepest zoom: past it, its tiles are over-zoomed
    if (spec) sources[SOURCE] = {url: archive(spec), maxDataZoom: spec.maxzoom !== undefined ? spec.maxzoom : cfg.maxZoom,
                                 levelDiff: cfg.levelDiff};
    var paint = [];
    groups.forEach(function (g) { paint = paint.concat(rules(cfg, g)); });
    var layer = protomapsL.leafletLayer({
      sources: sources, paintRules: paint, labelRules: [], pane: 'smTiles', attribution: cfg.attribution, tileDelay: 0,
      maxDataZoom: 14
    });
    layer.on('load', function () { SM._loaded(layer); });
    // A new view (the initial fit, a zoom) starts loading again: not ready until its tiles are drawn.
    layer.on('loading', function () { layer.smLoaded = false; SM.tilesReady = false; });
    SM._master = layer;
    return layer;
  };

  // What the layer control switches: a group's visibility in the one tile layer.
  SM._visible = SM._visible || {};
  SM.toggle = function (key) {
    var t = L.layerGroup();
    t.onAdd = function () { SM._visible[key] = true; if (SM._master && SM._master._map) SM._master.rerenderTiles(); };
    t.onRemove = function () { SM._visible[key] = false; if (SM._master && SM._master._map) SM._master.rerenderTiles(); };
    return t;
  };

  /* ---------------------------------------------------------------- readiness (tests, snapshots) */
  var pending = [];
  SM._loaded = function (layer) {
    layer.smLoaded = true;
    SM.tilesReady = pending.every(function (l) { return l.smLoaded || !l._map; });
    if (SM.tilesReady) { while (afterTiles.length) afterTiles.shift()(); }
  };
  SM.track = function (layer) { pending.push(layer); SM.tilesReady = false; };

  /* ---------------------------------------------------------------- points at low zoom */
  SM.points = function (cfg, map, pane) {
    var renderer = L.canvas({pane: pane});
    var group = L.layerGroup();
    cfg.points.forEach(function (p) {  // [lat, lon, key, code, minzoom]
      var m = L.circleMarker([p[0], p[1]], {renderer: renderer, radius: 4, weight: 1, color: cfg.theme.page,
        fillColor: cfg.colours[p[3]] || '#999', fillOpacity: 0.95, pane: pane});
      m.smKey = p[2]; m.smMinZoom = p[4];
      m.on('click', function (e) { SM.openStack(cfg, map, e.latlng, [p[2]]); });
      m.on('mouseover', function (e) { SM.tooltip(cfg, map, e.latlng, [p[2]]); });
      group.addLayer(m);
    });
    function sync() {
      var z = map.getZoom();
      group.eachLayer(function (m) { var on = z < m.smMinZoom; if (on && !m._map) m.addTo(map); if (!on && m._map) m.remove(); });
    }
    group.onAdd = function () { map.on('zoomend', sync); sync(); };
    group.onRemove = function () { map.off('zoomend', sync); group.eachLayer(function (m) { if (m._map) m.remove(); }); };
    return group;
  };

  /* ---------------------------------------------------------------- place names (snapshots) */
  // [lat, lon, name, kind] in priority order (the focused place first); a name that would overlap one already
  // placed, or leave the map, is dropped.  Text is set as text (never parsed as HTML).
  // A label's box `r` cannot be placed when it leaves the frame `box` (less `pad`) or comes within `pad` of a box
  // already taken (another label, the title, the legend, a control).
  function labelClashes(r, box, taken, pad) {
    if (r.left < box.left + pad || r.right > box.right - pad || r.top < box.top + pad || r.bottom > box.bottom - pad) return true;
    return taken.some(function (q) {
      return !(r.right + pad < q.left || r.left - pad > q.right || r.bottom + pad < q.top || r.top - pad > q.bottom);
    });
  }

  SM.labels = function (map, labels) {
    var pane = map.getPane('smLabels') || map.createPane('smLabels');
    pane.style.zIndex = 640; pane.style.pointerEvents = 'none';
    var box = map.getContainer().getBoundingClientRect(), placed = [], pad = 3;
    function clash(r) {
      var taken = Array.prototype.map.call(document.querySelectorAll('.sm-export-head, .sm-legend, .leaflet-control'),
        function (e) { return e.getBoundingClientRect(); });
      return labelClashes(r, box, placed.concat(taken), pad);
    }
    labels.forEach(function (l) {
      var span = document.createElement('span');
      span.className = 'sm-label sm-label-' + l[3];
      span.textContent = l[2];
      var marker = L.marker([l[0], l[1]], {icon: L.divIcon({className: 'sm-label-icon', html: span, iconSize: null}),
        pane: 'smLabels', interactive: false, keyboard: false}).addTo(map);
      var r = span.getBoundingClientRect();
      if (clash(r)) marker.remove(); else placed.push(r);
    });
    SM.labelsPlaced = placed.length;
  };

  /* ---------------------------------------------------------------- words */
  // Every word shown comes from Python in the view's language (cfg.t, see mapping.js_strings): the JS holds keys only.
  // `{name}` placeholders are filled from `vars`; a count picks `<key>One` or `<key>Other`.
  function t(cfg, key, vars) {
    var s = (cfg.t || {})[key];
    if (s === undefined) return key;
    return vars ? s.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] !== undefined ? String(vars[k]) : m; }) : s;
  }
  function tn(cfg, key, n, vars) {
    return t(cfg, key + (n === 1 ? 'One' : 'Other'), Object.assign({n: n}, vars || {}));
  }
  SM.t = t;

  /* ---------------------------------------------------------------- hover and click */
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function isWebUrl(url) { return /^https?:\/\//i.test(url || ''); }

  function safeLink(url, text) {
    if (!isWebUrl(url)) return null;
    var a = el('a', text);
    a.setAttribute('href', url); a.setAttribute('target', '_blank'); a.setAttribute('rel', 'noopener noreferrer nofollow');
    return a;
  }

  // Every boundary under a point, from the tiles already drawn: [{layer, geoid, name}], top to bottom.
  SM.stackAt = function (cfg, map, latlng) {
    var found = {};
    (SM._layers || []).forEach(function (lyr) {
      if (!lyr._map || !lyr.queryTileFeaturesDebug) return;
      var res = lyr.queryTileFeaturesDebug(latlng.lng, latlng.lat, 2);  // every layer, shown or not
      res.forEach(function (picked) {
        picked.forEach(function (pf) {
          var key = pf.layerName + ':' + pf.feature.props.g;
          if (!found[key]) found[key] = {layer: pf.layerName, geoid: String(pf.feature.props.g), name: pf.feature.props.n};
        });
      });
    });
    return Object.keys(found).map(function (k) { return found[k]; }).sort(function (a, b) {
      return LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer);
    });
  };

  function itemsFor(cfg, key) {
    var ids = cfg.shown[key] || [];
    return ids.map(function (id) { return cfg.details.policies[id]; }).filter(Boolean);
  }

  // The 287(g) agreements and federal listings the view shows at a boundary: the entries Python selected
  // (`ids`: the row labels shown, as a set).
  function picked(list, ids) {
    if (!ids) return [];
    return (list || []).filter(function (x) { return ids[x.i] === true; });
  }

  function describe(cfg, entry) {
    var key = entry.layer + ':' + entry.geoid;
    var j = cfg.details.jurisdictions[key] || {};
    return {key: key, name: j.n || entry.name, level: cfg.layerLabels[entry.layer] || entry.layer, items: itemsFor(cfg, key),
            agreements: picked((cfg.details.agreements || {})[key], cfg.agreementsShown),
            federal: picked((cfg.details.federal || {})[key], cfg.federalShown), dist: j.d};
  }

  var hoverTip = null;
  SM.tooltip = function (cfg, map, latlng, keys) {
    var entries = keys ? keys.map(function (k) { var p = k.split(':'); return {layer: p[0], geoid: p[1], name: ''}; })
                       : SM.stackAt(cfg, map, latlng);
    if (!entries.length) { if (hoverTip) { map.closeTooltip(hoverTip); hoverTip = null; } return; }
    // The most local boundary under the cursor.
    var d = describe(cfg, entries[entries.length - 1]);
    var tip = el('div', null, 'sm-tip');
    tip.appendChild(el('strong', d.name));
    var stance = d.items.length ? d.items.map(function (it) { return it.stance; }) : [];
    var searched = researchedOn(cfg, d.key.split(':')[0], d.key.split(':')[1]);
    tip.appendChild(el('div', d.level + ' \u00b7 ' + (d.items.length ? tn(cfg, 'instruments', d.items.length)
                                                                        : (searched ? t(cfg, 'researchedNone', {day: searched})
                                                                                    : t(cfg, 'noneInView')))));
    if (stance.length) {
      var uniq = stance.filter(function (s, i) { return stance.indexOf(s) === i; });
      tip.appendChild(el('div', uniq.map(function (s) { return cfg.stanceLabels[s] || s; }).join(' \u00b7 '), 'sm-stance'));
    }
    var ul = el('ul');
    d.items.slice(0, 3).forEach(function (it) { ul.appendChild(el('li', (it.t.length > 70 ? it.t.slice(0, 69) + '\u2026' : it.t) + (it.d ? ' (' + it.d + ')' : ''))); });
    if (d.items.length > 3) ul.appendChild(el('li', t(cfg, 'more', {n: d.items.length - 3})));
    if (d.items.length) tip.appendChild(ul);
    if (d.agreements.length) tip.appendChild(el('div', tn(cfg, 'agreements', d.agreements.length), 'sm-agree'));
    if (d.federal.length) tip.appendChild(el('div', t(cfg, 'onFederalList', {lists: d.federal.map(function (f) { return f.l; }).join('; ')}), 'sm-fed'));
    if (d.dist) tip.appendChild(el('div', t(cfg, 'toBorder', {distance: d.dist}), 'sm-dist'));
    tip.appendChild(el('div', t(cfg, 'clickHint'), 'sm-hint'));
    if (!hoverTip) hoverTip = L.tooltip({sticky: true, className: 'sm-tooltip', direction: 'top', offset: [0, -8]});
    hoverTip.setLatLng(latlng).setContent(tip);
    if (!hoverTip._map) hoverTip.addTo(map);
  };

  // The stack at a point in a popup.  Before the details file has arrived it would say "no instrument" where there
  // is one, so the popup says it is loading and fills in when the file is there.
  SM.openStack = function (cfg, map, latlng, keys) {
    // On a narrow map the popup spans the width below the buttons, rather than beside them.
    var size = map.getSize(), narrow = size.x < 600;
    var padTL = narrow ? L.point(8, 64) : L.point(52, 56), padBR = narrow ? L.point(8, 24) : L.point(56, 24);
    var popup = L.popup({maxWidth: Math.min(400, Math.floor(size.x * 0.9) - 20, size.x - padTL.x - padBR.x - 30),
                         minWidth: Math.min(240, Math.floor(size.x * 0.6)),
                         maxHeight: Math.min(380, Math.floor(size.y * 0.7)), className: 'sm-stack', autoPan: true,
                         autoPanPaddingTopLeft: padTL, autoPanPaddingBottomRight: padBR}).setLatLng(latlng);
    if (cfg.detailsReady && !cfg.detailsLoaded) {
      popup.setContent(el('div', t(cfg, 'loading'), 'sm-popup')).openOn(map);
      cfg.detailsReady.then(function () {
        if (map.hasLayer(popup)) popup.setContent(stackContent(cfg, map, latlng, keys));  // unless closed meanwhile
      });
      return;
    }
    popup.setContent(stackContent(cfg, map, latlng, keys)).openOn(map);
  };

  function stackContent(cfg, map, latlng, keys) {
    var entries = keys ? keys.map(function (k) { var p = k.split(':'); return {layer: p[0], geoid: p[1], name: ''}; })
                       : SM.stackAt(cfg, map, latlng);
    var pop = el('div', null, 'sm-popup');
    pop.appendChild(el('h4', keys ? t(cfg, 'jurisdiction') : t(cfg, 'whatApplies')));
    if (cfg.detailsFailed) pop.appendChild(el('div', t(cfg, 'detailsFailed'), 'sm-none'));
    if (!entries.length) pop.appendChild(el('div', t(cfg, 'noBoundary'), 'sm-sub'));
    entries.forEach(function (entry) {
      var d = describe(cfg, entry);
      var box = el('div', null, 'sm-juris');
      box.appendChild(el('div', d.name, 'sm-jname'));
      box.appendChild(el('div', d.level, 'sm-sub'));
      var seen = researchedOn(cfg, entry.layer, entry.geoid);
      if (!d.items.length) box.appendChild(el('div', seen ? t(cfg, 'researchedNoneLong', {day: seen})
                                                          : t(cfg, 'noneInViewLong'), 'sm-none'));
      d.items.forEach(function (it) {
        var item = el('div', null, 'sm-item');
        var sw = el('span', null, 'sm-dot'); sw.style.background = cfg.colours[it.c] || '#999';
        item.appendChild(sw);
        item.appendChild(el('span', it.t, 'sm-title'));
        item.appendChild(el('div', [cfg.stanceLabels[it.stance], it.y, it.ref,
                                    it.d ? t(cfg, 'adopted', {day: it.d}) : t(cfg, 'adoptedUnknown'),
                                    it.e ? t(cfg, 'effective', {day: it.e}) : '', it.s].filter(Boolean).join(' \u00b7 '), 'sm-meta'));
        if (it.m) item.appendChild(el('div', it.m, 'sm-summary'));
        (it.r || []).forEach(function (rel) { item.appendChild(el('div', '\u21b3 ' + rel, 'sm-rel')); });
        if (it.f && it.f.length) item.appendChild(el('div', it.f.join(', '), 'sm-flags'));
        var a = safeLink(it.u, t(cfg, 'source', {title: it.st || it.u})); if (a) item.appendChild(a);
        box.appendChild(item);
      });
      d.agreements.forEach(function (ag) {
        box.appendChild(el('div', t(cfg, ag.s ? 'agreementSigned' : 'agreement', {agency: ag.a, model: ag.m, day: ag.s}), 'sm-agree'));
      });
      d.federal.forEach(function (f) {
        var row = el('div', t(cfg, 'listed', {list: f.l, name: f.n}), 'sm-fed');
        var a = safeLink(f.u, ' ' + t(cfg, 'sourceLink')); if (a) row.appendChild(a);
        box.appendChild(row);
      });
      if (d.dist) box.appendChild(el('div', t(cfg, 'distance', {distance: d.dist}), 'sm-dist'));
      pop.appendChild(box);
    });
    // Fits the screen (at most 90 % of a phone's width) and pans clear of the zoom and layer buttons.
    SM.lastStack = entries.map(function (e) { return e.layer + ':' + e.geoid; });
    return pop;
  }

  SM.interact = function (cfg, map, layers) {
    SM._layers = layers;
    if (map._smInteract) return;  // one set of handlers per map
    map._smInteract = true;
    var frame = null, last = null;
    map.on('mousemove', function (e) {
      last = e.latlng;
      if (frame) return;
      frame = requestAnimationFrame(function () { frame = null; SM.tooltip(SM._cfg, map, last); });
    });
    map.on('mouseout', function () { if (hoverTip) { map.closeTooltip(hoverTip); hoverTip = null; } });
    map.on('click', function (e) { SM.openStack(SM._cfg, map, e.latlng); });
  };

  // Instrument details: a static file fetched once per page (served app) or inlined (snapshots, uploads).
  var detailFiles = SM._detailFiles = SM._detailFiles || {};
  // Files the first paint does not need wait until the tiles have drawn (browsers open six connections per host).
  var afterTiles = SM._afterTiles = SM._afterTiles || [];
  // The lookups arrive in their smallest form (mapping.grouped: {value: [geoid, ...]}; row labels as lists); the
  // paint rules read geoid -> value maps and label sets. `expand` turns the one into the other, in place (a change
  // of form only: what each boundary means was decided in Python).
  function invert(groups) {
    var out = {};
    Object.keys(groups || {}).forEach(function (value) {
      groups[value].forEach(function (geoid) { out[geoid] = value; });
    });
    return out;
  }
  // Row labels arrive as [first, last] runs of consecutive labels (mapping.runs).
  function asSet(pairs) {
    var out = {};
    (pairs || []).forEach(function (r) { for (var i = r[0]; i <= r[1]; i++) out[i] = true; });
    return out;
  }
  SM.expand = function (cfg) {
    var agreements = {};
    Object.keys(cfg.agreements || {}).forEach(function (layer) { agreements[layer] = invert(cfg.agreements[layer]); });
    cfg.agreements = agreements;
    cfg.coverage = invert(cfg.coverage);
    cfg.agreementsShown = asSet(cfg.agreementsShown);
    cfg.federalShown = asSet(cfg.federalShown);
    return cfg;
  };

  // The pure helpers (no DOM, no map), for the unit tests in tests/js (node --test).
  SM._pure = {expand: SM.expand, t: t, tn: tn, codeOf: codeOf, coverageCode: coverageCode, researchedOn: researchedOn, picked: picked,
              describe: describe, decodeBase64: decodeBase64, labelClashes: labelClashes, isWebUrl: isWebUrl,
              servedSource: servedSource};

  SM.whenTilesDrawn = function (fn) {
    if (SM.tilesReady === true) fn(); else afterTiles.push(fn);
  };
  SM.configure = function (cfg) {
    SM.expand(cfg);
    SM._cfg = cfg;
    // On a phone the legend starts folded (a tap opens it), so it does not cover the map.
    if (global.innerWidth < 600) {
      setTimeout(function () {
        Array.prototype.forEach.call(document.querySelectorAll('.sm-legend[open]'), function (d) { d.removeAttribute('open'); });
      }, 0);
    }
    if (!cfg.details) {
      cfg.details = {policies: {}, jurisdictions: {}};
      if (cfg.detailsUrl) {
        cfg.detailsReady = new Promise(function (resolve) {
          SM.whenTilesDrawn(function () {
            if (!detailFiles[cfg.detailsUrl]) {
              detailFiles[cfg.detailsUrl] = fetch(cfg.detailsUrl).then(function (r) {
                if (!r.ok) throw new Error('HTTP ' + r.status);
                return r.json();
              });
            }
            detailFiles[cfg.detailsUrl].then(function (d) { cfg.details = d; }, function () { cfg.detailsFailed = true; })
              .then(function () { cfg.detailsLoaded = true; resolve(); });
          });
        });
      }
    }
    return cfg;
  };
})(window);
