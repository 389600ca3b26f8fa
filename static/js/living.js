/* Sanctuary Map: the living map (an ES module), shared by the map's Streamlit component (living-map.js) and by the
 * first view the server writes into the page (instant-map.js).
 *
 * The Leaflet map is created once per page visit.  Each rerun sends the view's results (lookups,
 * legend, focus); they are merged into the one configuration object the paint rules read, and the
 * tiles already held are repainted in place: no new map, no re-decoding, and the reader's pan and
 * zoom survive.  The viewport goes into the address bar (debounced) as `at=lat,lon,zoom`, so a
 * share link reopens the same view.  A click is sent back to Python ("what applies here").
 *
 * A cold visit does not wait for Streamlit's front end: the page's HTML carries the first view's results
 * (routes.PageHead, firstview.py), and instant-map.js draws the map from them at once, over the place the map
 * will take (placed by the page's own elements as they appear).  When the component mounts, it adopts that
 * map: the same Leaflet object moves into the component's element, and a click made meanwhile is sent then.
 *
 * Hooks for tests and benchmarks: SanctuaryMap.map (the Leaflet map), SanctuaryMap.paints (a counter
 * incremented each time a repaint after a view change completes), SanctuaryMap.lastPaintAt, and
 * SanctuaryMap.adoptedAt (when the component took over the first view's map; unset without one).
 *
 * Safety: data arrive as JSON; every string shown goes through textContent (see sanctuary-map.js).
 */
import {changedQuery, queryString, same} from './view-links.js';

const loaded = (window.__smAssets = window.__smAssets || {});

// The words this file shows come from Python in the view's language (data.config.t, see mapping.js_strings).
function t(data, key, vars) {
  const s = ((data && data.config && data.config.t) || {})[key];
  if (s === undefined) return key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m)) : s;
}

function loadScript(url, data) {
  if (!loaded[url]) {
    loaded[url] = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url; s.async = false;
      s.onload = resolve; s.onerror = () => reject(new Error(t(data, 'assetFailed', {url})));
      document.head.appendChild(s);
    });
  }
  return loaded[url];
}

function loadCss(url) {
  if (!document.querySelector('link[data-sm-css="' + url + '"]')) {
    const l = document.createElement('link');
    l.rel = 'stylesheet'; l.href = url; l.setAttribute('data-sm-css', url);
    document.head.appendChild(l);
  }
}

function assets(spec, data) {
  spec.css.forEach(loadCss);
  // Fetched in parallel, run in order (async = false): Leaflet, pmtiles, protomaps-leaflet, then our own code.
  return Promise.all(spec.js.map((url) => loadScript(url, data)));
}

function parseAt(value) {
  const m = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(\d{1,2}(?:\.\d+)?)$/.exec(value || '');
  if (!m) return null;
  const lat = +m[1], lon = +m[2], z = +m[3];
  if (Math.abs(lat) > 85 || Math.abs(lon) > 180 || z < 2 || z > 18) return null;
  return {lat, lon, z};
}

let viewport = null;  // "lat,lon,zoom" of the living map, while one is on the page

function withViewport(url) {
  if (!viewport || url === undefined || url === null) return url;
  const u = new URL(String(url), window.location.href);
  if (u.pathname !== window.location.pathname) return url;  // another page: its own address
  u.searchParams.set('at', viewport);
  return u.toString();
}

// Streamlit rewrites the address after each rerun (the filters); the viewport is kept in it.
if (!window.__smHistoryPatched) {
  window.__smHistoryPatched = true;
  ['replaceState', 'pushState'].forEach((name) => {
    const original = window.history[name].bind(window.history);
    window.history[name] = (state, title, url) => original(state, title, withViewport(url));
  });
}

function writeAt(map) {
  const c = map.getCenter();
  viewport = c.lat.toFixed(4) + ',' + c.lng.toFixed(4) + ',' + map.getZoom();
  window.history.replaceState(window.history.state, '', window.location.href);
}

function legendControl(SM, data) {
  const ctl = L.control({position: 'bottomleft'});
  ctl.onAdd = function (map) {
    const box = L.DomUtil.create('details', 'sm-legend');
    box.addEventListener('toggle', () => keepLabelsInside(map));  // an opened legend never covers a label
    box.open = window.innerWidth >= 600 && map.getSize().y >= 450;  // folded on phones and in small frames (embeds)
    box.setAttribute('aria-label', t(data, 'legendLabel'));
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    this._box = box;
    return box;
  };
  ctl.update = function (legend) {
    const box = this._box;
    while (box.firstChild) box.removeChild(box.firstChild);
    const summary = document.createElement('summary');
    summary.className = 'sm-legend-title'; summary.textContent = legend.title;
    box.appendChild(summary);
    legend.sections.forEach(([section, entries]) => {
      if (section) { const h = document.createElement('div'); h.className = 'sm-legend-section'; h.textContent = section; box.appendChild(h); }
      entries.forEach(([label, colour, kind]) => {
        const row = document.createElement('div'); row.className = 'sm-legend-row';
        const sw = document.createElement('span'); sw.className = 'sm-swatch sm-' + kind;
        sw.style.background = colour; sw.style.borderColor = colour;
        row.appendChild(sw); row.appendChild(document.createTextNode(label));
        box.appendChild(row);
      });
    });
  };
  return ctl;
}

// Permanent labels (distances) stay inside the map, clear of its controls (legend, zoom, layers) and of each other.
function keepLabelsInside(map) {
  const root = map.getContainer(), box = root.getBoundingClientRect();
  const controls = [...root.querySelectorAll('.leaflet-control')].map((c) => c.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.height > 0);
  const placed = [];
  root.querySelectorAll('.sm-seg-label').forEach((el) => {
    el.style.marginLeft = ''; el.style.marginTop = '';
    const style = getComputedStyle(el);
    const left0 = parseFloat(style.marginLeft) || 0, top0 = parseFloat(style.marginTop) || 0;
    const r = el.getBoundingClientRect();
    let dx = 0, dy = 0;
    if (r.right > box.right - 4) dx = box.right - 4 - r.right;
    if (r.left + dx < box.left + 4) dx = box.left + 4 - r.left;
    const hits = (o) => r.left + dx < o.right && r.right + dx > o.left && r.top + dy < o.bottom && r.bottom + dy > o.top;
    for (let i = 0; i < 6; i += 1) {
      const o = controls.find(hits) || placed.find(hits);
      if (!o) break;
      dy = o.top - 2 - r.bottom;  // move up, above what it would cover
    }
    if (r.top + dy < box.top + 4) dy = box.top + 4 - r.top;
    el.style.marginLeft = (left0 + dx) + 'px';
    el.style.marginTop = (top0 + dy) + 'px';
    placed.push({left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy});
  });
}

function create(host, data) {
  const SM = window.SanctuaryMap;
  const el = document.createElement('div');
  el.className = 'sm-living-map';
  el.style.width = '100%'; el.style.height = '100%';
  el.setAttribute('role', 'application');
  el.setAttribute('aria-label', t(data, 'mapLabel'));
  host.appendChild(el);
  const map = L.map(el, {zoomControl: true, preferCanvas: false, worldCopyJump: false});
  L.control.scale().addTo(map);
  map.createPane('smTiles').style.zIndex = 400; map.getPane('smTiles').style.pointerEvents = 'none';
  map.createPane('smOverlay').style.zIndex = 450; map.getPane('smOverlay').style.pointerEvents = 'none';
  map.createPane('smPoints').style.zIndex = 460;
  if (data.basemap) L.tileLayer(data.basemap.url, {attribution: data.basemap.attribution, maxZoom: 18}).addTo(map);
  const cfg = SM.configure(Object.assign({}, data.config));
  const tiles = SM.tileLayer(cfg, data.groups);
  SM.track(tiles);
  tiles.addTo(map);
  const control = L.control.layers(null, null, {collapsed: true}).addTo(map);
  const toggles = {};
  data.toggles.forEach((t) => {
    const layer = SM.toggle(t.key);
    toggles[t.key] = layer;
    control.addOverlay(layer, t.title);
    if (t.show) layer.addTo(map); else SM._visible[t.key] = false;
  });
  const overlays = {};
  data.overlays.forEach((o) => {
    const layer = L.geoJSON(null, {pane: 'smOverlay', interactive: false, style: o.style});
    SM.whenTilesDrawn(() => fetch(o.url).then((r) => r.json()).then((d) => layer.addData(d)));
    overlays[o.view_key] = layer;
    control.addOverlay(layer, o.name);
    if (data.shown.indexOf(o.view_key) >= 0) layer.addTo(map);
  });
  const legend = legendControl(SM, data).addTo(map);
  const state = {map, cfg, tiles, control, toggles, overlays, legend, points: null, segments: null, focusKey: null,
                 lang: data.lang, el};
  SM.interact(cfg, map, [tiles]);
  state.send = (key, value) => { state.pending = [key, value]; };  // until a component gives its own (adopt)
  map.on('click', (e) => state.send('clicked', {lat: e.latlng.lat, lng: e.latlng.lng, at: Date.now()}));
  // A popup never sits under the legend: opening one folds it.
  map.on('popupopen', () => { const b = legend._box; if (b && b.open) { b.open = false; state.legendFolded = true; } });
  let timer = null;
  map.on('moveend', () => { keepLabelsInside(map); clearTimeout(timer); timer = setTimeout(() => writeAt(map), 400); });
  const at = parseAt(new URL(window.location.href).searchParams.get('at'));
  if (at) map.setView([at.lat, at.lon], at.z, {animate: false});
  else map.fitBounds(data.focus.bounds, {padding: [20, 20], animate: false});
  state.focusKey = data.focus.key;
  map.on('unload', () => { viewport = null; });
  SM.map = map;
  SM.paints = 0;
  SM.lastPaintAt = performance.now();
  return state;
}

function update(state, data, first) {
  const SM = window.SanctuaryMap;
  SM.lastUpdateAt = performance.now();  // when this rerun's results reached the map
  const {map, cfg} = state;
  // The results of the new view replace the old in the one configuration object the paint rules read.
  ['lookup', 'shown', 'coverage', 'points', 'agreements', 'federal', 'researched', 'asOf', 'agreementsShown', 'federalShown',
   't', 'stanceLabels', 'layerLabels']
    .forEach((k) => { cfg[k] = data.config[k]; });
  SM.expand(cfg);  // the grouped lookups as sent -> the maps the paint rules read
  SM._cfg = cfg;
  data.toggles.forEach((t) => {
    const layer = state.toggles[t.key];
    if (!layer) return;
    if (t.show && !layer._map) layer.addTo(map);
    if (!t.show && layer._map) map.removeLayer(layer);
    SM._visible[t.key] = t.show;
  });
  Object.keys(state.overlays).forEach((k) => {
    const layer = state.overlays[k], on = data.shown.indexOf(k) >= 0;
    if (on && !layer._map) layer.addTo(map);
    if (!on && layer._map) map.removeLayer(layer);
  });
  if (state.points) { map.removeLayer(state.points); }
  state.points = SM.points(cfg, map, 'smPoints');
  if (data.shown.indexOf('place') >= 0 || data.shown.indexOf('school_district') >= 0) state.points.addTo(map);
  if (state.segments) map.removeLayer(state.segments);
  const narrow = map.getContainer().clientWidth < 600;  // a phone: the short label; the full sentence is in the legend
  state.segments = L.layerGroup(data.focus.segments.map((s) => L.polyline(s.points, {color: s.colour, weight: s.weight,
    dashArray: s.dash}).bindTooltip(narrow ? (s.short || s.label) : s.label,
    {permanent: true, direction: s.direction, className: 'sm-seg-label'})));
  state.segments.addTo(map);
  keepLabelsInside(map);
  state.legend.update(data.legend);
  // Only a new place (a search, a profile link) moves the map; a filter change never does.
  if (!first && data.focus.key !== state.focusKey) map.fitBounds(data.focus.bounds, {padding: [20, 20]});
  state.focusKey = data.focus.key;
  if (!first) {
    state.tiles.rerenderTiles();
    requestAnimationFrame(() => requestAnimationFrame(() => { SM.paints += 1; SM.lastPaintAt = performance.now(); }));
  }
}

// An embed: the map takes the height its frame leaves once the title, credit and table toggle are laid out, so the
// page never scrolls inside the iframe (re-fitted when the frame or the page around the map changes size).
function fillFrame(host) {
  const scroller = () => document.querySelector('[data-testid=stMain]') || document.documentElement;
  const fit = () => {
    const el = scroller(), now = host.getBoundingClientRect().height;
    const over = Math.max(el.scrollHeight - el.clientHeight, document.documentElement.scrollHeight - window.innerHeight);
    const spare = window.innerHeight - el.scrollHeight;
    const want = Math.max(200, Math.floor(now - (over > 0 ? over : -Math.max(0, spare)) - 1));
    if (Math.abs(want - now) > 2) {
      host.style.height = want + 'px';
      const st = host.__smState; if (st) st.map.invalidateSize();
    }
  };
  if (!host.__smFill) {
    host.style.height = Math.max(200, window.innerHeight - 220) + 'px';
    host.__smFill = new ResizeObserver(() => requestAnimationFrame(fit));
    const block = document.querySelector('[data-testid=stMainBlockContainer]') || document.body;
    host.__smFill.observe(block);
    window.addEventListener('resize', () => requestAnimationFrame(fit));
  }
  requestAnimationFrame(fit);
}

// The first view's map, taken over by the component: the same Leaflet object moves into the component's element.
function adopt(host, setStateValue) {
  const first = window.__smInstant;
  window.__smInstant = null;
  clearInterval(first.timer);
  const state = first.state;
  host.appendChild(state.el);
  first.overlay.remove();
  state.map.invalidateSize();
  state.send = setStateValue;
  if (state.pending) setStateValue(state.pending[0], state.pending[1]);
  window.SanctuaryMap.adoptedAt = performance.now();
  return state;
}

/* ---------------------------------------------------------------- a filter change, answered at once
 * A click on an option of a sidebar filter (or on a chosen value's remove button) does two things: Streamlit reruns
 * the page, and this asks the API (/api/v1/map) for the new view's results and repaints as soon as they arrive, which
 * is well before the rerun's own data (Streamlit's round trip).  Python sends, with each rerun's data, the view's link
 * and each filter widget's URL parameter and labels (data.filters, see filters.widget_words): the browser only builds
 * the link of the new view, the server decides every row.  When the rerun's data arrive they are the same results
 * (nothing is repainted) or, if anything differs, they are painted.  A keyboard choice, a date or a switch goes the
 * rerun's way only.  Nothing here is needed: if Streamlit's markup changes, clicks simply wait for the rerun.
 */
function widgetKey(el) {
  const holder = el && el.closest('[class*="st-key-"]');
  const cls = holder && [...holder.classList].find((c) => c.startsWith('st-key-'));
  return cls ? cls.slice('st-key-'.length) : null;
}

// The widget and the change a click makes: {key, add: [codes] | remove: code}, or null (not a filter's choice).
function clickedChoice(target, widgets) {
  const option = target.closest('[role=option]');
  if (option) {
    const list = option.closest('[role=listbox]');
    const input = list && list.id && document.querySelector('input[aria-controls="' + CSS.escape(list.id) + '"]');
    const key = widgetKey(input), w = key && widgets[key];
    if (!w) return null;
    if (option.getAttribute('data-key') === '__select_all__') return {key, add: w.codes};
    const code = w.labels[option.textContent.trim()];
    return code === undefined ? null : {key, add: [code]};
  }
  const remove = target.closest('[data-tag] button');
  if (remove) {
    const key = widgetKey(remove), w = key && widgets[key];
    const code = w && w.labels[remove.closest('[data-tag]').getAttribute('aria-label')];
    return code === undefined ? null : {key, remove: code};
  }
  return null;
}

function answerClicks() {
  if (window.__smFastClicks) return;
  window.__smFastClicks = true;
  document.addEventListener('click', (ev) => {
    const SM = window.SanctuaryMap, state = SM && SM._living;
    const filters = state && state.filters;
    if (!filters) return;
    let change;
    try { change = clickedChoice(ev.target, filters.widgets); } catch { return; }  // markup not as expected
    if (!change) return;
    const query = changedQuery(filters, change);
    filters.query = query;  // a second click before the rerun builds on this one
    const asked = state.asked = (state.asked || 0) + 1;
    fetch(filters.url + '?' + queryString(query), {credentials: 'same-origin'})
      .then((r) => (r.ok && r.headers.get('X-Data-Build') === filters.build ? r.json() : null))
      .then((data) => {
        // A later click or a rerun came first (its data are painted), or this is another map.
        if (!data || asked !== state.asked || state.map !== SM.map) return;
        state.fast = data;
        update(state, data, false);
        SM.fastPaints = (SM.fastPaints || 0) + 1;
        // A click that chose nothing (no rerun follows): the last rerun's results again.
        clearTimeout(state.fastTimer);
        state.fastTimer = setTimeout(() => {
          const idle = document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]');
          if (state.fast === data && idle && !same(data, state.last)) { state.fast = undefined; update(state, state.last, false); }
        }, 5000);
      })
      .catch(() => {});  // the rerun paints it
  }, true);
}

// A rerun's data: painted unless what is painted (the API's answer to the same change, or the page's first view) holds
// the same results.
function rerun(state, data) {
  state.filters = data.filters || null;
  const fast = state.fast;
  state.fast = undefined;
  state.last = data;
  state.asked = (state.asked || 0) + 1;  // an answer still on its way is older than this
  if (fast !== undefined && same(fast, data)) return;
  update(state, data, false);
}

export function mount(parentElement, data, setStateValue) {
  const host = parentElement.querySelector('.sm-living-host') || parentElement;
  if (data.height === 'fill') fillFrame(host); else host.style.height = data.height + 'px';
  host.style.width = '100%';
  return assets(data.assets, data).then(() => {
    let state = host.__smState;
    const first = window.__smInstant;
    if (!state && first && first.state && first.state.lang === data.lang) {
      state = host.__smState = adopt(host, setStateValue);
      window.SanctuaryMap._living = state;
      answerClicks();
      state.fast = first.data;  // painted already: when it is this rerun's view, nothing is repainted
      rerun(state, data);
      return;
    }
    // Another language: the map is made again (its layer control, legend and details are in the old one); the
    // reader's place survives through the address (`at=`).
    if (state && state.lang !== data.lang) {
      state.map.remove(); state.el.remove();
      state = host.__smState = null;
    }
    const fresh = !state;
    if (fresh) {
      state = host.__smState = create(host, data); state.send = setStateValue;
      window.SanctuaryMap._living = state;
      answerClicks();
      update(state, data, true);
      state.last = data; state.filters = data.filters || null;
      return;
    }
    rerun(state, data);
  }).catch((err) => {
    host.textContent = t(data, 'loadFailed', {error: err.message});
  });
}

/* ---------------------------------------------------------------- the first view, before Streamlit */
// Where the map will be: the component's element once it exists, else just under the search row (the element
// before the map), else estimated from the title and caption above it (Streamlit's wide layout, measured at 1400,
// 1024 and 390 pixels); the map's height is the page's.  The overlay follows the page's own reflows until adopted.
const GAP = 16;
function target(height) {
  const rect = (sel) => { const e = document.querySelector(sel); const r = e && e.getBoundingClientRect(); return r && r.height > 0 ? r : null; };
  const host = rect('.sm-living-host');
  if (host && host.width > 0) return {left: host.left, top: host.top, width: host.width, height};
  const row = rect('.st-key-sm_find');
  if (row) return {left: row.left, top: row.bottom + GAP, width: row.width, height};
  const narrow = window.innerWidth < 640;  // a phone: no sidebar, and Streamlit stacks the search row's three columns
  const main = rect('[data-testid=stMainBlockContainer]');
  const left = (main ? main.left : (narrow ? 0 : 300)) + (narrow ? 9 : 80);
  const right = (main ? main.right : window.innerWidth) - (narrow ? 10 : 80);
  const width = Math.max(200, right - left);
  const rowHeight = narrow ? 208 : 68;
  const caption = rect('[data-testid=stMainBlockContainer] [data-testid=stCaptionContainer]');
  if (caption) return {left, top: caption.bottom + rowHeight + GAP, width, height};
  const title = rect('[data-testid=stMainBlockContainer] h1');
  const captionHeight = 19 + 21 * Math.ceil(1820 / width);  // the caption's ~260 characters at ~7 px each
  if (title) return {left, top: title.bottom + captionHeight + rowHeight + GAP, width, height};
  return {left, top: narrow ? 488 : 284, width, height};
}

function place(overlay, height) {
  const r = target(height), s = overlay.style;
  const px = (v) => Math.round(v) + 'px';
  if (s.left !== px(r.left) || s.top !== px(r.top) || s.width !== px(r.width)) {
    s.left = px(r.left); s.top = px(r.top); s.width = px(r.width); s.height = px(r.height);
    const first = window.__smInstant;
    if (first && first.state) first.state.map.invalidateSize();
  }
}

// The page's first view (JSON the server wrote into the HTML), drawn at once.  It stays until the component adopts
// it, the reader leaves the page, or the page never asks for a map (then it is removed).
export function instant(data, home) {
  const overlay = document.createElement('div');
  overlay.id = 'sm-instant';
  overlay.className = 'sm-instant';
  Object.assign(overlay.style, {position: 'fixed', zIndex: '2', background: '#e8ecef'});
  document.body.appendChild(overlay);
  const height = typeof data.height === 'number' ? data.height : 560;
  const first = window.__smInstant = {overlay, data, state: null, timer: null, since: performance.now()};
  place(overlay, height);
  first.timer = setInterval(() => {
    if (window.__smInstant !== first) return;
    const gone = window.location.pathname !== home;
    const idle = document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]');
    if (gone || (idle && !document.querySelector('.sm-living-host') && performance.now() - first.since > 15000)) {
      clearInterval(first.timer); window.__smInstant = null;
      if (first.state) first.state.map.remove();
      overlay.remove();
      return;
    }
    place(overlay, height);
  }, 50);
  return assets(data.assets, data).then(() => {
    if (window.__smInstant !== first) return;
    first.state = create(overlay, data);
    update(first.state, data, true);
  });
}
