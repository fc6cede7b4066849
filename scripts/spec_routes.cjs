// Prints the operations of an OpenAPI document as `METHOD /path` lines, sorted, one per line:
// the same shape as `fff routes`. Used by scripts/check_routes.sh.
//   node scripts/spec_routes.cjs api/openapi.yaml
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
let yaml;
try {
  yaml = require(path.join(root, 'tests', 'node_modules', 'js-yaml'));
} catch (e) {
  console.error('spec_routes: js-yaml is not installed; run scripts/npm_deps.sh (npm ci --prefix tests)');
  process.exit(2);
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/spec_routes.cjs OPENAPI.yaml');
  process.exit(2);
}

let doc;
try {
  doc = yaml.load(fs.readFileSync(file, 'utf8'), { filename: file });
} catch (e) {
  console.error(`spec_routes: cannot read ${file}: ${e.message}`);
  process.exit(2);
}
if (!doc || typeof doc !== 'object' || !doc.paths || typeof doc.paths !== 'object') {
  console.error(`spec_routes: ${file} has no paths object`);
  process.exit(2);
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const lines = [];
for (const [p, item] of Object.entries(doc.paths)) {
  if (!item || typeof item !== 'object') continue;
  if (item.$ref) {
    console.error(`spec_routes: path ${p} uses $ref; inline it so the route check can read it`);
    process.exit(2);
  }
  for (const m of methods) if (Object.prototype.hasOwnProperty.call(item, m)) lines.push(`${m.toUpperCase()} ${p}`);
}
// Byte order, like `LC_ALL=C sort`, so the shell side can `comm` the two lists.
lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
process.stdout.write(lines.map((l) => l + '\n').join(''));
