/**
 * The libvirt domain XML codec: the only file that imports fast-xml-parser. Encoding and decoding
 * both walk the declarative table in `shapes.ts`, so they cannot disagree.
 *
 * Encoding writes the XML in one pass, byte for byte what fast-xml-parser's builder writes with the
 * options STACK.md prescribes, and escapes all five markup characters: every user value is data.
 * Decoding uses fast-xml-parser's parser.
 */
import { XMLParser } from 'fast-xml-parser';
import type { DomainSpec } from './schema.js';
import { DOMAIN, type Field, type Scalar, type Shape } from './shapes.js';
import { KubevirtError } from '../../core/errors.js';

type XmlNode = Record<string, unknown>;
type Model = Record<string, unknown>;

/** Thrown when domain XML does not have the shape we model (a bug or a foreign document). */
export class DomainXmlError extends KubevirtError {}

type FieldOf<K extends Field['k']> = Extract<Field, { k: K }>;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const MARKUP = /[&<>"']/;
const MARKUP_ALL = /[&<>"']/g;

/** Text and attribute values as XML data: all five markup characters become entities. */
function escapeXml(value: string): string {
  return MARKUP.test(value) ? value.replace(MARKUP_ALL, (c) => ESCAPES[c] ?? c) : value;
}

/**
 * A model value as XML data. A number's decimal spelling has no markup characters, so it is
 * written as is; everything else is turned into a string and escaped.
 */
function xmlValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : escapeXml(String(value));
}

/** An attribute as the start tag spells it, up to its value: ` name="`. */
interface AttrPlan {
  readonly key: string;
  readonly lead: string;
}

/** A child field with the markup around it worked out once. */
type ChildPlan =
  | { readonly k: 'leaf'; readonly key: string; readonly open: string; readonly close: string; readonly empty: string }
  | { readonly k: 'flag'; readonly key: string; readonly line: string }
  | ({ readonly k: 'elem' | 'list'; readonly key: string } & ElementPlan);

/** An element to write: its tag and the plan of its shape (one shape may be spelled with several tags). */
interface ElementPlan {
  readonly tag: string;
  readonly plan: ShapePlan;
}

/**
 * A shape split the way an element is written: attributes (in the start tag), text, child
 * elements, each kept in table order, with every tag and attribute name spelled out once.
 */
interface ShapePlan {
  /** The start tag's attributes: a model field's, or a fixed attribute already written out. */
  readonly attrs: readonly (AttrPlan | string)[];
  readonly text: string | undefined;
  readonly children: readonly ChildPlan[];
  /**
   * Made only of child elements (`<features>`, `<kvm>`, `<acpi>` with its tables): such an
   * element means nothing when empty, and libvirt's grammar rejects several of them empty, so it
   * is left out. Elements with attributes, text or leaf children are always written.
   */
  readonly container: boolean;
}

const PLANS = new WeakMap<Shape, ShapePlan>();

/** The writing plan of a shape, made once per shape (shapes are shared, so plans are too). */
function planOf(shape: Shape): ShapePlan {
  const known = PLANS.get(shape);
  if (known !== undefined) return known;
  const attrs: (AttrPlan | string)[] = [];
  const children: ChildPlan[] = [];
  let text: string | undefined;
  const fields = Object.entries(shape);
  for (const [key, f] of fields) {
    if (f.k === 'attr') attrs.push({ key, lead: ` ${f.xml}="` });
    else if (f.k === 'fixed') attrs.push(` ${f.xml}="${escapeXml(f.value)}"`);
    else if (f.k === 'text') text = key;
    else if (f.k === 'leaf') children.push({ k: 'leaf', key, open: `<${f.xml}>`, close: `</${f.xml}>\n`, empty: `<${f.xml}/>\n` });
    else if (f.k === 'flag') children.push({ k: 'flag', key, line: `<${f.xml}/>\n` });
    else children.push({ k: f.k, key, tag: f.xml, plan: planOf(f.shape) });
  }
  const container = fields.length > 0 && fields.every(([, f]) => f.k === 'list' || f.k === 'elem' || f.k === 'flag');
  const plan: ShapePlan = { attrs, text, children, container };
  PLANS.set(shape, plan);
  return plan;
}

/** Two spaces per level, made once per depth. */
const INDENTS: string[] = [''];
function indentOf(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(`${INDENTS[INDENTS.length - 1] ?? ''}  `);
  return INDENTS[depth] ?? '';
}

/** The start tag with its attributes, without its closing `>` or `/>`. */
function startTag(indent: string, e: ElementPlan, model: Model): string {
  let start = `${indent}<${e.tag}`;
  for (const a of e.plan.attrs) {
    if (typeof a === 'string') start += a;
    else {
      const v = model[a.key];
      if (v !== undefined && v !== null) start += `${a.lead}${xmlValue(v)}"`;
    }
  }
  return start;
}

/** An element without child elements, on one line: its text between its tags, or self-closed. */
function oneLine(start: string, e: ElementPlan, model: Model): string {
  const text = e.plan.text === undefined ? undefined : model[e.plan.text];
  const value = text === undefined || text === null ? '' : xmlValue(text);
  return value === '' ? `${start}/>\n` : `${start}>${value}</${e.tag}>\n`;
}

/**
 * Writes one element and its subtree into `out`, one line per entry, each ending in a newline.
 * The start tag's entry is taken first and completed once the children are written: with no
 * child the element is self-closed (`<acpi/>`) or carries its text on one line, never
 * `<acpi></acpi>`; an empty container is taken back out.
 */
function writeElement(out: string[], e: ElementPlan, model: Model, depth: number): void {
  const indent = indentOf(depth);
  const start = startTag(indent, e, model);
  const slot = out.length;
  out.push(start);
  for (const c of e.plan.children) {
    const v = model[c.key];
    if (v !== undefined && v !== null) writeChild(out, c, v, depth + 1);
  }
  if (out.length > slot + 1) {
    out[slot] = `${start}>\n`;
    out.push(`${indent}</${e.tag}>\n`);
  } else if (e.plan.container) out.length = slot;
  else out[slot] = oneLine(start, e, model);
}

function writeChild(out: string[], c: ChildPlan, v: unknown, depth: number): void {
  switch (c.k) {
    case 'leaf': {
      const value = xmlValue(v);
      out.push(value === '' ? `${indentOf(depth)}${c.empty}` : `${indentOf(depth)}${c.open}${value}${c.close}`);
      break;
    }
    case 'flag':
      if (v === true) out.push(`${indentOf(depth)}${c.line}`);
      break;
    case 'elem':
      writeElement(out, c, v as Model, depth);
      break;
    case 'list':
      for (const item of v as Model[]) writeElement(out, c, item, depth);
      break;
  }
}

const ROOT: ElementPlan = { tag: 'domain', plan: planOf(DOMAIN) };

/**
 * The domain as libvirt XML (two-space indented, one element per line, ending in a newline).
 * The output is what fast-xml-parser's builder writes with `format: true, indentBy: '  ',
 * suppressEmptyNode: true, processEntities: true` (the options STACK.md prescribes), produced in
 * one pass over the model into one list of lines joined once at the end: the builder's generic
 * object walk, and later a walk that built a string per element, were most of a conversion's time.
 */
export function encodeDomain(domain: Readonly<DomainSpec>): string {
  // The codec walks the model through the shape table (shapes.ts), which mirrors DomainSpec field by field.
  const out: string[] = [];
  writeElement(out, ROOT, domain as unknown as Model, 0);
  return out.length === 0 ? '<domain/>\n' : out.join('');
}

function scalar(raw: unknown, t: Scalar, where: string): string | number {
  const s = typeof raw === 'object' && raw !== null ? String((raw as XmlNode)['#text'] ?? '') : String(raw ?? '');
  if (t === 'str') return s;
  if (!/^-?\d+$/.test(s.trim())) throw new DomainXmlError(`${where}: expected a whole number, found ${JSON.stringify(s)}`);
  return Number(s);
}

type Decoders = { readonly [K in Field['k']]: (node: XmlNode, field: FieldOf<K>, where: string) => unknown };

/** How each kind of field is read back from the parser's object shape (undefined: absent). */
const DECODERS: Decoders = {
  attr: (n, f, w) => (n[`@_${f.xml}`] === undefined ? undefined : scalar(n[`@_${f.xml}`], f.t, `${w}@${f.xml}`)),
  text: (n, f, w) => scalar(n['#text'] ?? '', f.t, w),
  leaf: (n, f, w) => (n[f.xml] === undefined ? undefined : scalar(n[f.xml], f.t, `${w}/${f.xml}`)),
  elem: (n, f, w) => (n[f.xml] === undefined ? undefined : decodeShape(f.shape, n[f.xml], `${w}/${f.xml}`)),
  list: (n, f, w) => ((n[f.xml] as unknown[] | undefined) ?? []).map((x, i) => decodeShape(f.shape, x, `${w}/${f.xml}[${i}]`)),
  flag: (n, f) => (n[f.xml] === undefined ? undefined : true),
  fixed: () => undefined,
};

function decodeField(node: XmlNode, field: Field, where: string): unknown {
  return (DECODERS[field.k] as (n: XmlNode, f: Field, w: string) => unknown)(node, field, where);
}

function decodeShape(shape: Shape, raw: unknown, where: string): Model {
  // Text-only elements come back from the parser as plain strings.
  const node: XmlNode = typeof raw === 'object' && raw !== null ? (raw as XmlNode) : { '#text': raw === '' ? undefined : raw };
  const out: Model = {};
  for (const [key, field] of Object.entries(shape)) {
    const value = decodeField(node, field, where);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function listPaths(shape: Shape, prefix: string, acc: Set<string>): Set<string> {
  for (const field of Object.values(shape)) {
    if (field.k !== 'list' && field.k !== 'elem') continue;
    const path = `${prefix}.${field.xml}`;
    if (field.k === 'list') acc.add(path);
    listPaths(field.shape, path, acc);
  }
  return acc;
}

const LIST_PATHS = listPaths(DOMAIN, 'domain', new Set());

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  // Keep text exactly as written (a kernel command line may start or end with a space); whitespace
  // between child elements lands in '#text' of container elements, which no shape reads.
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (_name, jpath) => LIST_PATHS.has(String(jpath)),
});

/** Parses libvirt domain XML back into the model (what we modelled; other elements are ignored). */
export function decodeDomain(xml: string): DomainSpec {
  const doc = parser.parse(xml) as XmlNode;
  if (doc['domain'] === undefined) throw new DomainXmlError('not a libvirt domain document: no <domain> root element');
  // What the shape table decodes is a DomainSpec by construction (the round-trip test holds it to that).
  return decodeShape(DOMAIN, doc['domain'], 'domain') as unknown as DomainSpec;
}
