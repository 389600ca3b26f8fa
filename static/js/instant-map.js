/* Sanctuary Map: a cold visit's map before Streamlit's front end has started.  The server writes the first view's
 * results into the page (a JSON script element, id sm-first-view: routes.PageHead, firstview.py); this module draws
 * them at once (living.js `instant`), and the map component adopts that map when it mounts. */
import {instant} from './living.js';

const el = document.getElementById('sm-first-view');
if (el) {
  try {
    const first = JSON.parse(el.textContent);
    instant(first, window.location.pathname).catch(() => { /* the component draws the map as it always could */ });
  } catch {
    // Not drawn here: the component draws the map when Streamlit has started.
  }
}
