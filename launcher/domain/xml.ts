/**
 * The libvirt domain XML codec: the only file that imports fast-xml-parser. One declarative table
 * (SHAPES) says how each model field is spelled (attribute, text, child element, repeated element,
 * flag element); encoding and decoding both walk it, so they cannot disagree.
 *
 * Encoding writes the XML in one pass, byte for byte what fast-xml-parser's builder writes with the
 * options STACK.md prescribes, and escapes all five markup characters: every user value is data.
 * Decoding uses fast-xml-parser's parser.
 */
import { XMLParser } from 'fast-xml-parser';
import type { DomainSpec } from './schema.js';

type Scalar = 'str' | 'int';
type Field =
  | { readonly k: 'attr'; readonly xml: string; readonly t: Scalar }
  | { readonly k: 'text'; readonly t: Scalar }
  | { readonly k: 'leaf'; readonly xml: string; readonly t: Scalar }
  | { readonly k: 'elem'; readonly xml: string; readonly shape: Shape }
  | { readonly k: 'list'; readonly xml: string; readonly shape: Shape }
  | { readonly k: 'flag'; readonly xml: string }
  | { readonly k: 'fixed'; readonly xml: string; readonly value: string };
type Shape = { readonly [modelKey: string]: Field };

const a = (xml: string, t: Scalar = 'str'): Field => ({ k: 'attr', xml, t });
const text = (t: Scalar = 'str'): Field => ({ k: 'text', t });
const leaf = (xml: string, t: Scalar = 'str'): Field => ({ k: 'leaf', xml, t });
const elem = (xml: string, shape: Shape): Field => ({ k: 'elem', xml, shape });
const list = (xml: string, shape: Shape): Field => ({ k: 'list', xml, shape });
const flag = (xml: string): Field => ({ k: 'flag', xml });

const ALIAS = elem('alias', { name: a('name') });
const ADDRESS = elem('address', {
  type: a('type'), domain: a('domain'), bus: a('bus'), slot: a('slot'), function: a('function'), controller: a('controller'), unit: a('unit'),
});
const STATE = { state: a('state') };
const ENTRIES = { entries: list('entry', { name: a('name'), value: text() }) };
const CHAR_SOURCE = elem('source', { mode: a('mode'), path: a('path') });

// Element order follows KubeVirt's api structs (virtwrap/api/schema.go), so our XML reads like theirs.
const DISK_SOURCE = elem('source', { file: a('file'), dev: a('dev') });
const DISK: Shape = {
  device: a('device'), type: a('type'), model: a('model'),
  source: DISK_SOURCE,
  target: elem('target', { bus: a('bus'), dev: a('dev'), tray: a('tray') }),
  serial: leaf('serial'),
  driver: elem('driver', {
    cache: a('cache'), errorPolicy: a('error_policy'), io: a('io'), name: a('name'), type: a('type'),
    iothread: a('iothread', 'int'), queues: a('queues', 'int'), discard: a('discard'),
  }),
  readonly: flag('readonly'),
  alias: ALIAS,
  backingStore: elem('backingStore', { type: a('type'), format: elem('format', { type: a('type') }), source: DISK_SOURCE }),
  boot: elem('boot', { order: a('order', 'int') }),
  address: ADDRESS,
  blockio: elem('blockio', { logicalBlockSize: a('logical_block_size', 'int'), physicalBlockSize: a('physical_block_size', 'int'), discardGranularity: a('discard_granularity', 'int') }),
  shareable: flag('shareable'),
};

const INTERFACE: Shape = {
  address: ADDRESS,
  type: a('type'),
  source: elem('source', { bridge: a('bridge'), network: a('network'), dev: a('dev') }),
  target: elem('target', { dev: a('dev'), managed: a('managed') }),
  model: elem('model', { type: a('type') }),
  mac: elem('mac', { address: a('address') }),
  mtu: elem('mtu', { size: a('size', 'int') }),
  boot: elem('boot', { order: a('order', 'int') }),
  link: elem('link', { state: a('state') }),
  alias: ALIAS,
  driver: elem('driver', { name: a('name'), queues: a('queues', 'int') }),
  rom: elem('rom', { enabled: a('enabled') }),
  acpi: elem('acpi', { index: a('index', 'int') }),
  backend: elem('backend', { type: a('type') }),
};

const CONTROLLER: Shape = {
  type: a('type'), index: a('index', 'int'), model: a('model'),
  driver: elem('driver', { iothread: a('iothread', 'int'), queues: a('queues', 'int') }),
  alias: ALIAS,
  address: ADDRESS,
  pcihole64: elem('pcihole64', { unit: a('unit'), value: text('int') }),
};

const DEVICES: Shape = {
  emulator: leaf('emulator'),
  interfaces: list('interface', INTERFACE),
  channels: list('channel', { type: a('type'), source: CHAR_SOURCE, target: elem('target', { name: a('name'), type: a('type') }) }),
  controllers: list('controller', CONTROLLER),
  videos: list('video', { model: elem('model', { type: a('type'), heads: a('heads', 'int'), vram: a('vram', 'int') }) }),
  graphics: list('graphics', { type: a('type'), listen: elem('listen', { type: a('type'), address: a('address'), socket: a('socket') }) }),
  memballoon: elem('memballoon', { model: a('model'), stats: elem('stats', { period: a('period', 'int') }), freePageReporting: a('freePageReporting') }),
  disks: list('disk', DISK),
  inputs: list('input', { type: a('type'), bus: a('bus'), alias: ALIAS, model: a('model') }),
  serials: list('serial', {
    type: a('type'), target: elem('target', { type: a('type'), port: a('port', 'int') }), source: CHAR_SOURCE, alias: ALIAS,
    log: elem('log', { file: a('file'), append: a('append') }),
  }),
  consoles: list('console', { type: a('type'), target: elem('target', { type: a('type'), port: a('port', 'int') }), source: CHAR_SOURCE, alias: ALIAS }),
  watchdogs: list('watchdog', { model: a('model'), action: a('action'), alias: ALIAS }),
  rngs: list('rng', { model: a('model'), backend: elem('backend', { model: a('model'), path: text() }) }),
};

const HYPERV: Shape = {
  mode: a('mode'),
  relaxed: elem('relaxed', STATE), vapic: elem('vapic', STATE),
  spinlocks: elem('spinlocks', { state: a('state'), retries: a('retries', 'int') }),
  vpindex: elem('vpindex', STATE), runtime: elem('runtime', STATE), synic: elem('synic', STATE),
  stimer: elem('stimer', { state: a('state'), direct: elem('direct', STATE) }),
  reset: elem('reset', STATE),
  vendorId: elem('vendor_id', { state: a('state'), value: a('value') }),
  frequencies: elem('frequencies', STATE), reenlightenment: elem('reenlightenment', STATE),
  tlbflush: elem('tlbflush', STATE), ipi: elem('ipi', STATE), evmcs: elem('evmcs', STATE),
};

const DOMAIN: Shape = {
  type: a('type'),
  xmlnsQemu: { k: 'fixed', xml: 'xmlns:qemu', value: 'http://libvirt.org/schemas/domain/qemu/1.0' },
  name: leaf('name'),
  uuid: leaf('uuid'),
  memory: elem('memory', { unit: a('unit'), value: text('int') }),
  maxMemory: elem('maxMemory', { unit: a('unit'), slots: a('slots', 'int'), value: text('int') }),
  memoryBacking: elem('memoryBacking', { hugepages: flag('hugepages'), source: elem('source', { type: a('type') }), access: elem('access', { mode: a('mode') }) }),
  os: elem('os', {
    type: elem('type', { arch: a('arch'), machine: a('machine'), value: text() }),
    acpi: elem('acpi', { tables: list('table', { type: a('type'), path: text() }) }),
    smbios: elem('smbios', { mode: a('mode') }),
    bootmenu: elem('bootmenu', { enable: a('enable'), timeout: a('timeout', 'int') }),
    bios: elem('bios', { useserial: a('useserial') }),
    loader: elem('loader', { readonly: a('readonly'), secure: a('secure'), type: a('type'), path: text() }),
    nvram: elem('nvram', { template: a('template'), path: text() }),
    kernel: leaf('kernel'),
    initrd: leaf('initrd'),
    cmdline: leaf('cmdline'),
  }),
  sysinfo: elem('sysinfo', { type: a('type'), system: elem('system', ENTRIES), bios: elem('bios', ENTRIES), baseBoard: elem('baseBoard', ENTRIES), chassis: elem('chassis', ENTRIES) }),
  devices: elem('devices', DEVICES),
  clock: elem('clock', {
    offset: a('offset'), timezone: a('timezone'), adjustment: a('adjustment'),
    timers: list('timer', { name: a('name'), tickpolicy: a('tickpolicy'), present: a('present'), track: a('track'), frequency: a('frequency') }),
  }),
  metadata: elem('metadata', {
    kubevirt: elem('kubevirt', {
      xmlns: { k: 'fixed', xml: 'xmlns', value: 'http://kubevirt.io' },
      uid: leaf('uid'),
      graceperiod: elem('graceperiod', { deletionGracePeriodSeconds: leaf('deletionGracePeriodSeconds', 'int') }),
    }),
  }),
  features: elem('features', {
    acpi: flag('acpi'), apic: flag('apic'), hyperv: elem('hyperv', HYPERV), smm: flag('smm'), kvm: elem('kvm', { hidden: elem('hidden', STATE) }),
    pvspinlock: elem('pvspinlock', STATE), pmu: elem('pmu', STATE), vmport: elem('vmport', STATE),
  }),
  cpu: elem('cpu', {
    mode: a('mode'),
    model: elem('model', { fallback: a('fallback'), value: text() }),
    features: list('feature', { name: a('name'), policy: a('policy') }),
    topology: elem('topology', { sockets: a('sockets', 'int'), cores: a('cores', 'int'), threads: a('threads', 'int') }),
    numa: elem('numa', { cells: list('cell', { id: a('id', 'int'), cpus: a('cpus'), memory: a('memory', 'int'), unit: a('unit') }) }),
  }),
  vcpu: elem('vcpu', { placement: a('placement'), current: a('current', 'int'), value: text('int') }),
  vcpus: elem('vcpus', { vcpus: list('vcpu', { id: a('id', 'int'), enabled: a('enabled'), hotpluggable: a('hotpluggable'), order: a('order', 'int') }) }),
  iothreads: leaf('iothreads', 'int'),
  onPoweroff: leaf('on_poweroff'),
  onReboot: leaf('on_reboot'),
  onCrash: leaf('on_crash'),
};

type XmlNode = Record<string, unknown>;
type Model = Record<string, unknown>;

/** Thrown when domain XML does not have the shape we model (a bug or a foreign document). */
export class DomainXmlError extends Error {
  override name = 'DomainXmlError';
}

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
  return decodeShape(DOMAIN, doc['domain'], 'domain') as unknown as DomainSpec;
}
