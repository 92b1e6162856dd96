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

/** What one element collects while its shape is walked: attributes, text, rendered children. */
interface Rendering {
  attrs: string;
  text: string | undefined;
  readonly children: string[];
  readonly indent: string;
}

type Writers = { readonly [K in Field['k']]: (r: Rendering, field: FieldOf<K>, value: unknown) => void };

/**
 * How each kind of field is written. The output is what fast-xml-parser's builder writes with
 * `format: true, indentBy: '  ', suppressEmptyNode: true, processEntities: true` (the options
 * STACK.md prescribes), produced in one pass: the builder's generic object walk was most of a
 * conversion's time.
 */
const WRITERS: Writers = {
  attr: (r, f, v) => { r.attrs += ` ${f.xml}="${escapeXml(String(v))}"`; },
  fixed: (r, f) => { r.attrs += ` ${f.xml}="${escapeXml(f.value)}"`; },
  text: (r, _f, v) => { r.text = String(v); },
  leaf: (r, f, v) => { r.children.push(textElement(`${r.indent}  `, f.xml, '', String(v))); },
  elem: (r, f, v) => {
    const rendered = renderElement(f.xml, f.shape, v as Model, `${r.indent}  `);
    if (rendered !== undefined) r.children.push(rendered);
  },
  list: (r, f, v) => {
    for (const item of v as Model[]) {
      const rendered = renderElement(f.xml, f.shape, item, `${r.indent}  `);
      if (rendered !== undefined) r.children.push(rendered);
    }
  },
  flag: (r, f, v) => { if (v === true) r.children.push(`${r.indent}  <${f.xml}/>`); },
};

function textElement(indent: string, tag: string, attrs: string, text: string): string {
  return text === '' ? `${indent}<${tag}${attrs}/>` : `${indent}<${tag}${attrs}>${escapeXml(text)}</${tag}>`;
}

/**
 * An element made only of child elements (`<features>`, `<kvm>`, `<acpi>` with its tables) means
 * nothing when empty, and libvirt's grammar rejects several of them empty: such an element is left
 * out. Elements with attributes, text or leaf children are always written.
 */
function isContainer(shape: Shape): boolean {
  const fields = Object.values(shape);
  return fields.length > 0 && fields.every((f) => f.k === 'list' || f.k === 'elem' || f.k === 'flag');
}

/** A shape's fields as an array, and whether it is a container; computed once per shape. */
interface Compiled {
  readonly fields: readonly (readonly [string, Field])[];
  readonly container: boolean;
}
const COMPILED = new WeakMap<Shape, Compiled>();

function compiled(shape: Shape): Compiled {
  let c = COMPILED.get(shape);
  if (c === undefined) {
    c = { fields: Object.entries(shape), container: isContainer(shape) };
    COMPILED.set(shape, c);
  }
  return c;
}

/** One element (and its subtree) as indented lines, or undefined for an empty container. */
function renderElement(tag: string, shape: Shape, model: Model, indent: string): string | undefined {
  const { fields, container } = compiled(shape);
  const r: Rendering = { attrs: '', text: undefined, children: [], indent };
  for (const [key, field] of fields) {
    const value = field.k === 'fixed' ? true : model[key];
    if (value !== undefined && value !== null) (WRITERS[field.k] as (r: Rendering, f: Field, v: unknown) => void)(r, field, value);
  }
  if (r.children.length === 0) {
    if (container && r.attrs === '') return undefined;
    // An element with nothing in it is written self-closed (`<acpi/>`), never `<acpi></acpi>`.
    return textElement(indent, tag, r.attrs, r.text ?? '');
  }
  return `${indent}<${tag}${r.attrs}>\n${r.children.join('\n')}\n${indent}</${tag}>`;
}

/** The domain as libvirt XML (two-space indented, one element per line, ending in a newline). */
export function encodeDomain(domain: Readonly<DomainSpec>): string {
  // The codec walks the model through the shape table (shapes.ts), which mirrors DomainSpec field by field.
  return `${renderElement('domain', DOMAIN, domain as unknown as Model, '') ?? '<domain/>'}\n`;
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
