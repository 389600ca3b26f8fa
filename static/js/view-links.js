/* Sanctuary Map: the living map's pure helpers (an ES module with no browser state; unit-tested with node --test).
 *
 * The view's link after a click on a sidebar filter: living.js asks /api/v1/map for that link's results.  The words
 * come from Python with each rerun's data (filters.widget_words): the browser builds a link, it decides no row.
 */

// The view's link with one widget's choice changed: change = {key, add: [codes]} or {key, remove: code}.  A widget of
// the layers shown (invert) names, in the link, the layers hidden.
export function changedQuery(filters, change) {
  const w = filters.widgets[change.key];
  const query = Object.assign({}, filters.query);
  const now = [].concat(query[w.param] || []);
  let chosen = w.invert ? w.codes.filter((c) => now.indexOf(c) < 0) : now;
  chosen = change.add ? chosen.concat(change.add.filter((c) => chosen.indexOf(c) < 0)) : chosen.filter((c) => c !== change.remove);
  const value = w.invert ? w.codes.filter((c) => chosen.indexOf(c) < 0) : chosen;
  if (value.length) query[w.param] = value; else delete query[w.param];
  return query;
}

// A query object ({param: value or [values]}) as a query string, a repeated parameter once per value.
export function queryString(query) {
  const q = new URLSearchParams();
  Object.keys(query).forEach((k) => [].concat(query[k]).forEach((v) => q.append(k, v)));
  return q.toString();
}

// Whether two of the map's data draw the same map (the height is the element's, not the map's; the filter words are
// not drawn).
export function same(a, b) {
  const strip = (d) => JSON.stringify(Object.assign({}, d, {height: null, filters: null}));
  return strip(a) === strip(b);
}
