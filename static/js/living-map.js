/* Sanctuary Map: the living map's Streamlit (components v2) entry point.  The map itself is static/js/living.js (an
 * ES module, shared with the first view the page's HTML carries: instant-map.js); its address comes with the data. */
export default function (component) {
  const {data, parentElement, setStateValue} = component;
  if (!data) return;
  // An absolute address: this module may be a blob: or data: one, which a path cannot be resolved against.
  import(new URL(data.living, window.location.href).href).then((living) => living.mount(parentElement, data, setStateValue)).catch((err) => {
    parentElement.textContent = String(((data.config || {}).t || {}).loadFailed || 'The map could not load: {error}')
      .replace('{error}', err.message);
  });
}
