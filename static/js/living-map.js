/* Sanctuary Map: the living map's Streamlit (components v2) entry point.  The map itself is static/js/living.js (an
 * ES module, shared with the first view the page's HTML carries: instant-map.js); its address comes with the data. */
let living = null;  // the module, once imported: later reruns reach the map in the same task, without a microtask hop

function failed(parentElement, data, err) {
  parentElement.textContent = String(((data.config || {}).t || {}).loadFailed || 'The map could not load: {error}')
    .replace('{error}', err.message);
}

export default function (component) {
  const {data, parentElement, setStateValue} = component;
  if (!data) return;
  if (living) { living.mount(parentElement, data, setStateValue); return; }
  // An absolute address: this module may be a blob: or data: one, which a path cannot be resolved against.
  import(new URL(data.living, window.location.href).href).then((module) => {
    living = module;
    living.mount(parentElement, data, setStateValue);
  }).catch((err) => failed(parentElement, data, err));
}
