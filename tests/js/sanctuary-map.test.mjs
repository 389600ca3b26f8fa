// Unit tests of the map script's pure helpers (no browser): `node --test tests/js` (run by `make test`).
// The script is loaded as the page loads it, into a bare context with a `window`; fixtures are built here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";

const source = readFileSync(new URL("../../static/js/sanctuary-map.js", import.meta.url), "utf8");

function load() {
  const context = { window: {}, atob: (b) => Buffer.from(b, "base64").toString("binary"), performance: { now: () => 0 } };
  vm.createContext(context);
  vm.runInContext(source, context);
  return context.window.SanctuaryMap._pure;
}

const SM = load();
const cfg = {
  t: { hello: "Hola {name}", itemsOne: "{n} instrumento", itemsOther: "{n} instrumentos" },
  lookup: { place: { "0600001": "L" } },
  coverage: { "06001": "C" },
  researched: { place: { "0600003": "2026-11-30" } },
  shown: { "place:0600001": ["p1", "p2"] },
  layerLabels: { place: "City or town" },
  agreementsShown: { 2: true },  // as SanctuaryMap.expand leaves it
  federalShown: {},
  details: {
    policies: { p1: { t: "Ordinance" } },
    jurisdictions: { "place:0600001": { n: "Testville", d: "120 miles" } },
    agreements: { "place:0600001": [{ i: 1 }, { i: 2 }] },
  },
};

test("words come from the configuration, placeholders filled, plurals by count", () => {
  assert.equal(SM.t(cfg, "hello", { name: "Ana" }), "Hola Ana");
  assert.equal(SM.t(cfg, "hello"), "Hola {name}", "no vars: the message as sent");
  assert.equal(SM.t(cfg, "missing"), "missing", "an unknown key shows itself, never undefined");
  assert.equal(SM.tn(cfg, "items", 1), "1 instrumento");
  assert.equal(SM.tn(cfg, "items", 3), "3 instrumentos");
});

test("lookups answer what Python selected, and nothing for what it did not", () => {
  assert.equal(SM.codeOf(cfg, "place", "0600001"), "L");
  assert.equal(SM.codeOf(cfg, "place", "0600002"), undefined);
  assert.equal(SM.codeOf(cfg, "unsd", "0600010"), undefined, "a layer without a lookup");
  assert.equal(SM.coverageCode(cfg, "06001"), "C");
  assert.equal(SM.coverageCode(cfg, "06003"), undefined);
  assert.equal(SM.researchedOn(cfg, "place", "0600003"), "2026-11-30");
  assert.equal(SM.researchedOn({ lookup: {} }, "place", "0600003"), undefined, "no search records sent");
});

test("a boundary's entry: its name, level, instruments shown and only the agreements selected", () => {
  const e = SM.describe(cfg, { layer: "place", geoid: "0600001", name: "fallback" });
  assert.equal(e.name, "Testville");
  assert.equal(e.level, "City or town");
  assert.equal(e.items.length, 1, "an id without details is left out, not shown as blank");
  assert.deepEqual(Array.from(e.agreements, (a) => a.i), [2]);  // arrays of the script's realm: compare copies
  assert.equal(e.federal.length, 0);
  assert.equal(SM.describe(cfg, { layer: "place", geoid: "0699999", name: "From the tile" }).name, "From the tile");
  assert.equal(SM.picked([{ i: 1 }], {}).length, 0);
});

test("only web links are made links", () => {
  assert.ok(SM.isWebUrl("https://example.org/x"));
  assert.ok(SM.isWebUrl("HTTP://example.org"));
  for (const bad of ["javascript:alert(1)", "data:text/html,x", "//evil.example", "", undefined]) {
    assert.equal(SM.isWebUrl(bad), false, String(bad));
  }
});

test("embedded archives decode from base64 byte for byte", () => {
  assert.deepEqual(Array.from(SM.decodeBase64(Buffer.from([0, 1, 254, 255]).toString("base64"))), [0, 1, 254, 255]);
});

test("labels are refused outside the frame or touching a box already taken", () => {
  const box = { left: 0, top: 0, right: 900, bottom: 600 };
  const r = (left, top, w = 80, h = 16) => ({ left, top, right: left + w, bottom: top + h });
  assert.equal(SM.labelClashes(r(100, 100), box, [], 3), false);
  assert.equal(SM.labelClashes(r(1, 100), box, [], 3), true, "within the padding of the edge");
  assert.equal(SM.labelClashes(r(850, 100), box, [], 3), true, "past the right edge");
  assert.equal(SM.labelClashes(r(100, 100), box, [r(150, 105)], 3), true, "overlapping another label");
  assert.equal(SM.labelClashes(r(100, 100), box, [r(182, 100)], 3), true, "closer than the padding");
  assert.equal(SM.labelClashes(r(100, 100), box, [r(190, 100)], 3), false, "clear of it");
});

test("grouped lookups as sent become the maps the paint rules read", () => {
  const sent = {
    coverage: { L: ["06001", "06003"], R: ["41001"] },
    agreements: { county: { jail_enforcement: ["06001"], task_force: ["06005"] }, place: { task_force: ["0600001"] } },
    agreementsShown: [[3, 3], [7, 9]],
    federalShown: [],
    lookup: { place: { "0600001": "L" } },
  };
  const cfg = SM.expand(sent);
  assert.equal(SM.coverageCode(cfg, "06003"), "L");
  assert.equal(SM.coverageCode(cfg, "41001"), "R");
  assert.equal(cfg.agreements.county["06005"], "task_force");
  assert.equal(cfg.agreements.place["0600001"], "task_force");
  assert.equal(SM.picked([{ i: 3 }, { i: 4 }, { i: 7 }, { i: 8 }, { i: 10 }], cfg.agreementsShown).length, 3);
  assert.equal(SM.picked([{ i: 3 }], cfg.federalShown).length, 0);
  assert.equal(SM.codeOf(cfg, "place", "0600001"), "L", "lookup is sent as a map and left alone");
});

test("the archive's first read uses the answer the page's head asked for, once; other reads are range requests", async () => {
  const asked = [];
  const context = {
    window: {}, atob: (b) => Buffer.from(b, "base64").toString("binary"), performance: { now: () => 0 },
    pmtiles: { FetchSource: class { constructor(url) { this.url = url; }
      getKey() { return this.url; }
      getBytes(offset, length) { asked.push([offset, length]); return Promise.resolve({ data: "fetched" }); } } },
  };
  const early = (status) => ({ bytes: 16384, response: Promise.resolve({ status,
    headers: { get: (h) => ({ Etag: '"abc"', "Cache-Control": "max-age=60" })[h] || null },
    arrayBuffer: () => Promise.resolve("early") }) });
  context.window.SanctuaryMapPrefetch = { "/a.pmtiles": early(206), "/b.pmtiles": early(200) };
  vm.createContext(context);
  vm.runInContext(source, context);
  const { servedSource } = context.window.SanctuaryMap._pure;
  const a = servedSource("/a.pmtiles");
  assert.equal(a.getKey(), "/a.pmtiles");
  const first = await a.getBytes(0, 16384);
  assert.equal(first.data, "early");
  assert.equal(first.etag, '"abc"');
  assert.deepEqual(asked, [], "no second request for the header");
  assert.equal((await a.getBytes(0, 16384)).data, "fetched", "the early answer is used once");
  assert.equal((await a.getBytes(50000, 2000)).data, "fetched");
  assert.deepEqual(asked, [[0, 16384], [50000, 2000]]);
  // A server that ignored the Range header (200, the whole file) is asked again the ordinary way.
  assert.equal((await servedSource("/b.pmtiles").getBytes(0, 16384)).data, "fetched");
  // No early answer for an address: the ordinary reader.
  assert.equal(servedSource("/c.pmtiles").constructor.name, "FetchSource");
});
