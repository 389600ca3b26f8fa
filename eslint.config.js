// ESLint for the project's own browser scripts (static/js): `make lint` runs it.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly", pmtiles: "readonly", protomapsL: "readonly" },
    },
    rules: {
      "no-unused-vars": ["error", { args: "none" }],
      eqeqeq: ["error", "smart"],
      "no-var": "off",
    },
  },
  // The unit tests of the scripts' pure helpers (node --test tests/js).
  { files: ["tests/js/**/*.mjs"], languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node } },
  // The living map: a Streamlit components-v2 module (it exports its entry point), the ES module it loads with its
  // pure helpers, and the module that draws a cold visit's first view from the page's HTML.
  { files: ["static/js/living-map.js", "static/js/living.js", "static/js/view-links.js", "static/js/instant-map.js"],
    languageOptions: { sourceType: "module" } },
];
