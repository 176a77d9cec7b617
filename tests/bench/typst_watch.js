#!/usr/bin/env node
// Typst 0.14's watch, as the anchors' npm packages offer it: the typst.ts
// node compiler's ProjectWatcher recompiles IN.typ whenever a file it read
// changes, and this writes the PDF under a temporary name and renames it
// into place (as folio does), printing one line per compile.
//   NODE_PATH=ANCHORS/node_modules node typst_watch.js IN.typ OUT.pdf
const path = require('path'), fs = require('fs');
const { ProjectWatcher } = require('@myriaddreamin/typst-ts-node-compiler');
const [input, output] = process.argv.slice(2).map((p) => path.resolve(p));
const watcher = ProjectWatcher.create({ workspace: path.dirname(input) });
let n = 0;
watcher.add([input], (project) => {
  const t0 = process.hrtime.bigint();
  const res = project.compile({ mainFilePath: input });
  if (res.hasError() || !res.result) {
    res.printErrors();
    console.log(`compile ${++n}: failed`);
    return;
  }
  fs.writeFileSync(output + '.tmp', project.pdf(res.result));
  fs.renameSync(output + '.tmp', output);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`compile ${++n}: ${ms.toFixed(0)} ms`);
});
watcher.watch();
