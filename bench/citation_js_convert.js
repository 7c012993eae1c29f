// Convert a BibTeX file with citation-js, as the convert benchmark's peer:
//   node bench/citation_js_convert.js in.bib out.json csl
//   node bench/citation_js_convert.js in.bib out.ris ris
// Modules are resolved from bench/.peers (npm install --prefix bench/.peers …), set as NODE_PATH.
const fs = require("fs");
const { Cite } = require("@citation-js/core");
require("@citation-js/plugin-bibtex");
require("@citation-js/plugin-ris");
require("@citation-js/plugin-csl");

const [input, output, target] = process.argv.slice(2);
const cite = new Cite(fs.readFileSync(input, "utf8"), { forceType: "@bibtex/text" });
const text = target === "ris"
  ? cite.format("ris", { format: "text" })
  : JSON.stringify(cite.format("data", { format: "object" }), null, 2);
fs.writeFileSync(output, text);
