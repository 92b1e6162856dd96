/**
 * `tsx crd-gen/coverage.ts [FIELD-LIST.md]`: reports fields of KubeVirt's field list that our
 * schemas miss, type or required mismatches, extra fields, and dangling references.
 * Exit 1 when anything is off.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectDefs, danglingRefs, inlineRefs, type SchemaNode } from './bundle.js';
import { checkCoverage, parseFieldList } from './field-list.js';
import { readDefs, readKinds } from './sources.js';

/** Where the design reference keeps the field list, beside the repository. */
export const DEFAULT_FIELD_LIST = fileURLToPath(new URL('../../shared/design/kubevirt/api-fields.md', import.meta.url));

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
    const r = checkCoverage(kind.crd.kind, root, section);
    const total = r.missing.length + r.mismatched.length + r.extra.length;
    console.log(`${kind.crd.kind}: ${section.fields.length} listed, ${r.missing.length} missing, ${r.mismatched.length} mismatched, ${r.extra.length} extra`);
    for (const m of r.missing) console.log(`  missing   ${m}`);
    for (const m of r.mismatched) console.log(`  mismatch  ${m}`);
    for (const m of r.extra) console.log(`  extra     ${m}`);
    problems += total;
  }
  return problems === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
