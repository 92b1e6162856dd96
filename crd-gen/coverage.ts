/**
 * `tsx crd-gen/coverage.ts [FIELD-LIST.md]`: reports fields of KubeVirt's field list that our
 * schemas miss, type or required mismatches, extra fields, and dangling references.
 * Exit 1 when anything is off.
 */
import { readFileSync } from 'node:fs';
import { collectDefs, danglingRefs, inlineRefs, type SchemaNode } from './bundle.js';
import { DEFAULT_FIELD_LIST } from './coverage-path.js';
import { checkCoverage, parseFieldList, type CoverageReport } from './field-list.js';
import { readDefs, readKinds } from './sources.js';


/** Prints one kind's report; returns how many problems it holds. */
function printReport(r: CoverageReport, listed: number): number {
  console.log(`${r.kind}: ${listed} listed, ${r.missing.length} missing, ${r.mismatched.length} mismatched, ${r.extra.length} extra`);
  for (const m of r.missing) console.log(`  missing   ${m}`);
  for (const m of r.mismatched) console.log(`  mismatch  ${m}`);
  for (const m of r.extra) console.log(`  extra     ${m}`);
  return r.missing.length + r.mismatched.length + r.extra.length;
}

function main(argv: readonly string[]): number {
  const listFile = argv[0] ?? DEFAULT_FIELD_LIST;
  const sections = parseFieldList(readFileSync(listFile, 'utf8'));
  const defs = collectDefs(readDefs());
  const kinds = readKinds();
  let problems = 0;
  const dangling = danglingRefs([...kinds.map((k) => k.schema), ...Object.values(defs)], defs);
  if (dangling.length > 0) {
    console.log(`dangling $ref: ${dangling.join(', ')}`);
    problems += dangling.length;
    // Keep checking the rest: a missing definition stands in as an empty object.
    for (const name of dangling) defs[name] = { type: 'object', description: `(${name} is not defined yet)` };
  }
  for (const kind of kinds) {
    const section = sections.find((s) => s.kinds.includes(kind.crd.kind));
    if (!section) continue;
    let root: SchemaNode;
    try {
      root = inlineRefs(kind.schema, defs) as SchemaNode;
    } catch (e: unknown) {
      console.log(`${kind.crd.kind}: cannot inline: ${e instanceof Error ? e.message : String(e)}`);
      problems += 1;
      continue;
    }
    problems += printReport(checkCoverage(kind.crd.kind, root, section), section.fields.length);
  }
  return problems === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
