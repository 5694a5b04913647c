// Expands a JSON-LD file with jsonld.js and converts it to N-Quads, fetching nothing: any
// remote context is an error. Prints {"expanded": [...], "quads": N} for the Rust test.
const fs = require("fs");
const jsonld = require("jsonld");

const documentLoader = async (url) => {
  throw new Error(`no network: the document asked for ${url}`);
};

(async () => {
  const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const expanded = await jsonld.expand(doc, { documentLoader, safe: true });
  const nquads = await jsonld.toRDF(doc, { format: "application/n-quads", documentLoader, safe: true });
  const quads = nquads.split("\n").filter((line) => line.length > 0).length;
  process.stdout.write(JSON.stringify({ expanded, quads }));
})().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
