/**
 * How the domain model is spelled in libvirt XML, as one declarative table: each model field is an
 * attribute, text, child element, repeated element or flag element. `xml.ts` writes and reads XML
 * by walking these shapes, so encoding and decoding cannot disagree. Element order follows
 * KubeVirt's api structs (virtwrap/api/schema.go), so our XML reads like theirs.
 * @see https://libvirt.org/formatdomain.html
 */

/** How a scalar is read back: kept as a string, or a whole number. */
export type Scalar = 'str' | 'int';
/** One model field's XML spelling. */
export type Field =
  | { readonly k: 'attr'; readonly xml: string; readonly t: Scalar }
  | { readonly k: 'text'; readonly t: Scalar }
  | { readonly k: 'leaf'; readonly xml: string; readonly t: Scalar }
  | { readonly k: 'elem'; readonly xml: string; readonly shape: Shape }
  | { readonly k: 'list'; readonly xml: string; readonly shape: Shape }
  | { readonly k: 'flag'; readonly xml: string }
  | { readonly k: 'fixed'; readonly xml: string; readonly value: string };
/** An element's fields, in XML order. */
export type Shape = { readonly [modelKey: string]: Field };

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
/** An amount of memory: `<x unit="b">N</x>`. */
const AMOUNT: Shape = { unit: a('unit'), value: text('int') };

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
  tpms: list('tpm', { model: a('model'), backend: elem('backend', { type: a('type'), version: a('version'), persistentState: a('persistent_state') }) }),
  memories: list('memory', {
    model: a('model'),
    target: elem('target', { size: elem('size', AMOUNT), requested: elem('requested', AMOUNT), node: leaf('node', 'int'), block: elem('block', AMOUNT) }),
  }),
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

/** The `<domain>` root element. */
export const DOMAIN: Shape = {
  type: a('type'),
  xmlnsQemu: { k: 'fixed', xml: 'xmlns:qemu', value: 'http://libvirt.org/schemas/domain/qemu/1.0' },
  name: leaf('name'),
  uuid: leaf('uuid'),
  memory: elem('memory', AMOUNT),
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
