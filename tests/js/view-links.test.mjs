// Unit tests of the living map's link helpers (static/js/view-links.js): `node --test tests/js` (run by `make test`).
// Fixtures are built here: a view's link and the words of two widgets, as filters.widget_words sends them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { changedQuery, queryString, same } from "../../static/js/view-links.js";

const filters = {
  query: { stance: ["limits_cooperation"], focus: "unsd:0622710", lang: "es" },
  widgets: {
    f_stances: { param: "stance", codes: ["limits_cooperation", "requires_cooperation", "mixed"], invert: false,
                 labels: { "Limita": "limits_cooperation" } },
    f_layers: { param: "hide", codes: ["state", "county", "zone"], invert: true, labels: {} },
  },
};

test("a chosen option is added to the link's values, in order, once", () => {
  const q = changedQuery(filters, { key: "f_stances", add: ["requires_cooperation"] });
  assert.deepEqual(q.stance, ["limits_cooperation", "requires_cooperation"]);
  assert.equal(q.focus, "unsd:0622710");
  assert.deepEqual(changedQuery(filters, { key: "f_stances", add: ["limits_cooperation"] }).stance, ["limits_cooperation"]);
  assert.deepEqual(filters.query.stance, ["limits_cooperation"], "the view's own link is left as it was");
});

test("removing the last value leaves the parameter out", () => {
  const q = changedQuery(filters, { key: "f_stances", remove: "limits_cooperation" });
  assert.equal("stance" in q, false);
});

test("'select all' chooses every code", () => {
  const q = changedQuery(filters, { key: "f_stances", add: filters.widgets.f_stances.codes });
  assert.deepEqual(q.stance, ["limits_cooperation", "requires_cooperation", "mixed"]);
});

test("the layers widget shows layers; the link names those hidden", () => {
  const hidden = changedQuery(filters, { key: "f_layers", remove: "county" });
  assert.deepEqual(hidden.hide, ["county"]);
  const back = changedQuery({ ...filters, query: hidden }, { key: "f_layers", add: ["county"] });
  assert.equal("hide" in back, false);
});

test("a query string repeats a parameter once per value and escapes what it holds", () => {
  assert.equal(queryString({ stance: ["a", "b"], focus: "unsd:1" }), "stance=a&stance=b&focus=unsd%3A1");
  assert.equal(queryString({ q: "<x>&y" }), "q=%3Cx%3E%26y");
});

test("the same map ignores the element's height and the filter words, nothing else", () => {
  const a = { config: { lookup: { place: { 1: "L" } } }, height: 560, filters: { query: {} } };
  assert.equal(same(a, { config: { lookup: { place: { 1: "L" } } } }), true);
  assert.equal(same(a, { config: { lookup: { place: { 1: "R" } } }, height: 560 }), false);
});
