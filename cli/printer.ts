/**
 * kubectl's human-readable tables: for our kinds NAME and the CRD's additionalPrinterColumns
 * (priority 0; `-o wide` adds the rest), as the API server's table convertor fills them; for pods,
 * nodes, events, secrets, config maps and claims kubectl's own columns (its printers.go); NAME and
 * AGE for any other kind. Rows are laid out as kubectl's tab writer does (at least 6 characters a
 * column, 3 spaces of padding, widths remembered across a watch's rows). Pure: the caller passes the
 * time.
 * @see https://kubernetes.io/docs/reference/kubectl/generated/kubectl_get/
 */
import { KINDS, type KindName } from '../crd-gen/index.js';
import { evaluateSteps, JsonPathError, parseSteps, resultText } from './jsonpath.js';

/** One printer column of a CRD. */
export interface Column {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly priority?: number;
}

const record = (value: unknown): Readonly<Record<string, unknown>> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');

/** Every value a column path selects in `object`; a path that fails selects nothing (the API server leaves the cell empty). */
export function evaluateColumnPath(object: unknown, path: string): unknown[] {
  try {
    return evaluateSteps(object, parseSteps(path));
  } catch (e) {
    if (e instanceof JsonPathError) return [];
    throw e;
  }
}

/** kubectl's age (apimachinery HumanDuration): `45s`, `3m12s`, `17m`, `5h3m`, `30h`, `4d2h`, `120d`, `3y20d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  return longDuration(hours);
}

function longDuration(hours: number): string {
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** The age of a timestamp at `now`, `<unknown>` without one (kubectl's translateTimestampSince). */
export function ageOf(timestamp: unknown, now: Date): string {
  const time = typeof timestamp === 'string' && timestamp !== '' ? Date.parse(timestamp) : NaN;
  return Number.isNaN(time) ? '<unknown>' : humanDuration(now.getTime() - time);
}

const MIN_WIDTH = 6;
const PADDING = 3;

/** A cell as kubectl's table printer writes it: cut at the first line break, with `...`. */
function cellText(value: string): string {
  const at = value.search(/[\f\n\r]/);
  return at === -1 ? value : `${value.slice(0, at)}...`;
}

/**
 * kubectl's tab writer (liggitt/tabwriter with RememberWidths): each column but the last is as wide
 * as its widest cell plus 3, at least 6, and never narrower than it was for earlier rows, so a
 * watch's rows stay under the header.
 */
export class TableWriter {
  private widths: number[] = [];

  /** The rows as text; the widths they needed are remembered for the next call. */
  write(rows: readonly (readonly string[])[]): string {
    const cells = rows.map((r) => r.map(cellText));
    for (const row of cells) {
      row.slice(0, -1).forEach((cell, i) => {
        this.widths[i] = Math.max(this.widths[i] ?? MIN_WIDTH, cell.length + PADDING);
      });
    }
    return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(this.widths[i] ?? 0))).join('').trimEnd() + '\n').join('');
  }

  /** Forgets the widths (a new table starts). */
  reset(): void {
    this.widths = [];
  }
}

/** Formats rows as kubectl does: left-aligned columns at least 6 wide, 3 spaces of padding. */
export function formatRows(rows: readonly (readonly string[])[]): string {
  return new TableWriter().write(rows);
}

/** Options of {@link tableOf}. */
export interface TableOptions {
  readonly now: Date;
  /** `-o wide`: every column, whatever its priority. */
  readonly wide?: boolean;
  /** Objects from several namespaces (`-A`): a NAMESPACE column first. */
  readonly withNamespace?: boolean;
  /** Several resource types: names as `kind.group/name` (kubectl's `--show-kind`). */
  readonly withKind?: boolean;
  /** `-L`: one column per label key. */
  readonly labelColumns?: readonly string[];
  /** `--show-labels`: a LABELS column last. */
  readonly showLabels?: boolean;
}

/** A table: its header and one row per object. */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The columns kubectl shows for one of our kinds (a CRD without printer columns gets AGE, as the API server adds it). */
export function columnsOf(kind: KindName, wide: boolean): Column[] {
  const declared: readonly Column[] = KINDS[kind].printerColumns;
  const columns = declared.length === 0 ? [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }] : declared;
  return columns.filter((c) => wide || (c.priority ?? 0) === 0);
}

/** A CRD column's cell as the API server's table convertor fills it: the first value, a date as an age. */
function crdCell(object: unknown, column: Column, now: Date): string {
  const [value] = evaluateColumnPath(object, column.jsonPath);
  if (value === undefined || value === null) return '';
  if (column.type === 'date') return typeof value === 'string' ? ageOf(value, now) : '';
  return resultText(value);
}

interface KindPrinter {
  /** The kind's table has no NAME column (Events: kubectl shows the name only under -o wide, last). */
  readonly nameless?: boolean;
  readonly header: (wide: boolean) => readonly string[];
  readonly row: (object: unknown, now: Date, wide: boolean) => readonly string[];
}

const meta = (o: unknown): Readonly<Record<string, unknown>> => record(record(o)?.['metadata']) ?? {};
const age = (o: unknown, now: Date): string => ageOf(meta(o)['creationTimestamp'], now);

/** The printer of one of our kinds: its CRD's columns. */
function crdPrinter(kind: KindName): KindPrinter {
  return {
    header: (wide) => columnsOf(kind, wide).map((c) => c.name.toUpperCase()),
    row: (o, now, wide) => columnsOf(kind, wide).map((c) => crdCell(o, c, now)),
  };
}

interface ContainerState {
  readonly waiting?: { readonly reason?: string };
  readonly running?: object;
  readonly terminated?: { readonly reason?: string; readonly exitCode?: number; readonly signal?: number; readonly finishedAt?: string };
}

interface ContainerStatus {
  readonly name?: string;
  readonly ready?: boolean;
  readonly started?: boolean;
  readonly restartCount?: number;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

/** The fields of a Pod kubectl's table reads. */
interface PodLike {
  readonly metadata?: { readonly name?: string; readonly deletionTimestamp?: string };
  readonly spec?: {
    readonly containers?: readonly unknown[];
    readonly initContainers?: readonly { readonly name?: string; readonly restartPolicy?: string }[];
    readonly nodeName?: string;
    readonly readinessGates?: readonly { readonly conditionType?: string }[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip?: string }[];
    readonly nominatedNodeName?: string;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly reason?: string }[];
    readonly initContainerStatuses?: readonly ContainerStatus[];
    readonly containerStatuses?: readonly ContainerStatus[];
  };
}

interface PodTally {
  reason: string;
  ready: number;
  restarts: number;
  lastRestart: number;
}

function noteRestart(tally: PodTally, c: ContainerStatus): void {
  tally.restarts += c.restartCount ?? 0;
  const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
  if (!Number.isNaN(finished) && finished > tally.lastRestart) tally.lastRestart = finished;
}

/** Why a terminated container stopped: its reason, else `Signal:N` or `ExitCode:N` (kubectl's words). */
function terminatedReason(terminated: NonNullable<ContainerState['terminated']>): string {
  const reason = terminated.reason ?? '';
  if (reason !== '') return reason;
  return terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
}

/** The STATUS an init container that has not completed gives its pod (`Init:Error`, `Init:CrashLoopBackOff`, `Init:0/2`). */
function initReason(c: ContainerStatus, index: number, total: number): string {
  const { terminated, waiting } = c.state ?? {};
  if (terminated !== undefined) return `Init:${terminatedReason(terminated)}`;
  const why = waiting?.reason ?? '';
  return why !== '' && why !== 'PodInitializing' ? `Init:${why}` : `Init:${index}/${total}`;
}

const initStatuses = (pod: PodLike): readonly ContainerStatus[] => pod.status?.initContainerStatuses ?? [];
const appStatuses = (pod: PodLike): readonly ContainerStatus[] => pod.status?.containerStatuses ?? [];
const nameOf = (c: { readonly name?: string }): string => c.name ?? '';

/** Whether an init container lets the pod go on: it completed, or it is a started sidecar (counted when ready). */
function initPassed(c: ContainerStatus, sidecars: ReadonlySet<string>, tally: PodTally): boolean {
  const terminated = c.state?.terminated;
  if (terminated !== undefined && (terminated.exitCode ?? 0) === 0) return true;
  if (!sidecars.has(nameOf(c)) || c.started !== true) return false;
  if (c.ready === true) tally.ready++;
  return true;
}

/** Walks the init containers as kubectl does; true while the pod is still initializing. */
function initStatus(pod: PodLike, tally: PodTally, sidecars: ReadonlySet<string>): boolean {
  const total = pod.spec?.initContainers?.length ?? 0;
  for (const [i, c] of initStatuses(pod).entries()) {
    noteRestart(tally, c);
    if (initPassed(c, sidecars, tally)) continue;
    tally.reason = initReason(c, i, total);
    return true;
  }
  return false;
}

function containerReason(c: ContainerStatus): string | undefined {
  const { waiting, terminated } = c.state ?? {};
  if ((waiting?.reason ?? '') !== '') return waiting?.reason;
  return terminated === undefined ? undefined : terminatedReason(terminated);
}

const conditionTrue = (pod: PodLike, type: string): boolean => pod.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;

/** One app container's part: its reason becomes the pod's, or it counts as ready; true when it runs ready. */
function countContainer(tally: PodTally, c: ContainerStatus): boolean {
  noteRestart(tally, c);
  const reason = containerReason(c);
  if (reason !== undefined) {
    tally.reason = reason;
    return false;
  }
  const running = c.ready === true && c.state?.running !== undefined;
  if (running) tally.ready++;
  return running;
}

/** The app containers' part of printPod (restarts counted from the sidecars on, the first container's reason wins). */
function containersStatus(pod: PodLike, tally: PodTally, sidecars: ReadonlySet<string>): void {
  Object.assign(tally, { restarts: 0, lastRestart: 0 });
  for (const c of initStatuses(pod)) if (sidecars.has(nameOf(c))) noteRestart(tally, c);
  let running = false;
  for (const c of [...appStatuses(pod)].reverse()) running = countContainer(tally, c) || running;
  if (tally.reason === 'Completed' && running) tally.reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
}

/** STATUS of a pod being deleted: Unknown on a lost node, Terminating until it has finished. */
function deletionReason(pod: PodLike, reason: string): string {
  if (pod.metadata?.deletionTimestamp === undefined) return reason;
  if (pod.status?.reason === 'NodeLost') return 'Unknown';
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' ? reason : 'Terminating';
}

/** The pod's STATUS before its containers are looked at: its reason or phase, SchedulingGated while gated. */
function podReason(pod: PodLike): string {
  const status = pod.status ?? {};
  if (status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) return 'SchedulingGated';
  return status.reason || status.phase || '';
}

function restartsText(tally: PodTally, now: Date): string {
  return tally.restarts !== 0 && tally.lastRestart > 0 ? `${tally.restarts} (${humanDuration(now.getTime() - tally.lastRestart)} ago)` : String(tally.restarts);
}

/** kubectl's READY, STATUS and RESTARTS of a pod (printPod). */
export function podSummary(pod: PodLike, now: Date): { ready: string; status: string; restarts: string } {
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map(nameOf));
  const total = (pod.spec?.containers?.length ?? 0) + sidecars.size;
  const tally: PodTally = { reason: podReason(pod), ready: 0, restarts: 0, lastRestart: 0 };
  const initializing = initStatus(pod, tally, sidecars);
  if (!initializing || conditionTrue(pod, 'Initialized')) containersStatus(pod, tally, sidecars);
  return { ready: `${tally.ready}/${total}`, status: deletionReason(pod, tally.reason), restarts: restartsText(tally, now) };
}

function readinessGates(pod: PodLike): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const met = gates.filter((g) => pod.status?.conditions?.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${met}/${gates.length}`;
}

/** kubectl's -o wide cells of a pod: IP NODE NOMINATED NODE READINESS GATES. */
function podWide(pod: PodLike): string[] {
  const status = pod.status ?? {};
  const ip = status.podIPs?.[0]?.ip || status.podIP;
  return [ip || '<none>', pod.spec?.nodeName || '<none>', status.nominatedNodeName || '<none>', readinessGates(pod)];
}

const POD_PRINTER: KindPrinter = {
  header: (wide) => ['READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] : [])],
  row: (o, now, wide) => {
    const s = podSummary(o as PodLike, now);
    return [s.ready, s.status, s.restarts, age(o, now), ...(wide ? podWide(o as PodLike) : [])];
  },
};

/** The fields of a Node kubectl's table reads. */
interface NodeLike {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: {
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
    readonly addresses?: readonly { readonly type?: string; readonly address?: string }[];
    readonly nodeInfo?: { readonly kubeletVersion?: string; readonly osImage?: string; readonly kernelVersion?: string; readonly containerRuntimeVersion?: string };
  };
}

/** kubectl's node STATUS: Ready or NotReady from the Ready condition (Unknown without one), then SchedulingDisabled. */
export function nodeStatus(node: NodeLike): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = ready === undefined ? ['Unknown'] : [ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** kubectl's node ROLES: the `node-role.kubernetes.io/ROLE` labels and `kubernetes.io/role`, sorted. */
export function nodeRoles(node: NodeLike): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (key === 'kubernetes.io/role' && value !== '') {
      roles.add(value);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

const nodeAddress = (node: NodeLike, type: string): string => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

const NODE_PRINTER: KindPrinter = {
  header: (wide) => ['STATUS', 'ROLES', 'AGE', 'VERSION', ...(wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : [])],
  row: (o, now, wide) => {
    const node = o as NodeLike;
    const info = node.status?.nodeInfo ?? {};
    return [
      nodeStatus(node), nodeRoles(node), age(o, now), info.kubeletVersion ?? '',
      ...(wide ? [nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'] : []),
    ];
  },
};

/** The fields of a core/v1 Event kubectl reads. */
export interface EventLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly creationTimestamp?: string };
  readonly involvedObject?: { readonly apiVersion?: string; readonly kind?: string; readonly namespace?: string; readonly name?: string; readonly uid?: string; readonly fieldPath?: string };
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly source?: { readonly component?: string; readonly host?: string };
  readonly reportingComponent?: string;
  readonly reportingController?: string;
  readonly reportingInstance?: string;
  readonly count?: number;
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly series?: { readonly count?: number; readonly lastObservedTime?: string };
}

/** The time kubectl sorts an Event by: its series' last observation, else lastTimestamp, else eventTime. */
export function eventSortTime(e: EventLike): number {
  const at = e.series?.lastObservedTime || e.lastTimestamp || e.eventTime || '';
  const time = Date.parse(at);
  return Number.isNaN(time) ? 0 : time;
}

/** Events in kubectl's order (SortableEvents: oldest last occurrence first; ties keep their order). */
export function sortEvents<E extends EventLike>(events: readonly E[]): E[] {
  return events.map((e, i) => ({ e, i, t: eventSortTime(e) })).sort((a, b) => a.t - b.t || a.i - b.i).map(({ e }) => e);
}

/** When an Event was first seen: eventTime, else firstTimestamp. */
const firstSeen = (e: EventLike, now: Date): string => ageOf(e.eventTime || e.firstTimestamp, now);

/** kubectl describe's Age of an Event: `5m`, or `30s (x3 over 5m)` for a repeated one. */
export function eventInterval(e: EventLike, now: Date): string {
  const first = firstSeen(e, now);
  if (e.series !== undefined) return `${ageOf(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${ageOf(e.lastTimestamp, now)} (x${e.count ?? 0} over ${first})`;
  return first;
}

/** The source kubectl shows for an Event: `component, host`, else the reporting controller and instance. */
function eventSource(e: EventLike): string {
  const component = e.source?.component ?? '';
  if (component === '' && (e.source?.host ?? '') === '') return [e.reportingController || e.reportingComponent, e.reportingInstance].filter((v) => (v ?? '') !== '').join(', ');
  return [component, e.source?.host].filter((v) => (v ?? '') !== '').join(', ');
}

/** `kind/name` of the object an Event is about, lower-case as kubectl get events prints it. */
export function eventObject(e: EventLike): string {
  const kind = (e.involvedObject?.kind ?? '').toLowerCase();
  const name = e.involvedObject?.name ?? '';
  return name === '' ? kind : `${kind}/${name}`;
}

/** kubectl's LAST SEEN of an Event: its series' last observation, else lastTimestamp, else when first seen. */
function lastSeen(e: EventLike, now: Date): string {
  if (e.series !== undefined) return ageOf(e.series.lastObservedTime, now);
  return e.lastTimestamp ? ageOf(e.lastTimestamp, now) : firstSeen(e, now);
}

const EVENT_PRINTER: KindPrinter = {
  nameless: true,
  header: (wide) => (wide ? ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'] : ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']),
  row: (o, now, wide) => {
    const e = o as EventLike;
    const [type, reason, message] = [e.type ?? '', e.reason ?? '', (e.message ?? '').trim()];
    if (!wide) return [lastSeen(e, now), type, reason, eventObject(e), message];
    const count = e.series?.count ?? (e.count || 1);
    return [lastSeen(e, now), type, reason, eventObject(e), e.involvedObject?.fieldPath ?? '', eventSource(e), message, firstSeen(e, now), String(count), text(meta(o)['name'])];
  },
};

const SECRET_PRINTER: KindPrinter = {
  header: () => ['TYPE', 'DATA', 'AGE'],
  row: (o, now) => {
    const s = record(o) ?? {};
    return [text(s['type']), String(Object.keys(record(s['data']) ?? {}).length), age(o, now)];
  },
};

const CONFIG_MAP_PRINTER: KindPrinter = {
  header: () => ['DATA', 'AGE'],
  row: (o, now) => {
    const c = record(o) ?? {};
    return [String(Object.keys(record(c['data']) ?? {}).length + Object.keys(record(c['binaryData']) ?? {}).length), age(o, now)];
  },
};

const ACCESS_MODES: Readonly<Record<string, string>> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

const PVC_PRINTER: KindPrinter = {
  header: (wide) => ['STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE', ...(wide ? ['VOLUMEMODE'] : [])],
  row: (o, now, wide) => {
    const spec = record(record(o)?.['spec']) ?? {};
    const status = record(record(o)?.['status']) ?? {};
    const bound = status['phase'] === 'Bound';
    const modes = list(status['accessModes']).map((m) => ACCESS_MODES[text(m)] ?? text(m)).join(',');
    return [
      text(status['phase']), text(spec['volumeName']), bound ? text(record(status['capacity'])?.['storage']) : '', bound ? modes : '',
      text(spec['storageClassName']), text(spec['volumeAttributesClassName']) || '<unset>', age(o, now), ...(wide ? [text(spec['volumeMode'])] : []),
    ];
  },
};

const DEFAULT_PRINTER: KindPrinter = { header: () => ['AGE'], row: (o, now) => [age(o, now)] };

const CORE_PRINTERS: Readonly<Record<string, KindPrinter>> = {
  Pod: POD_PRINTER, Node: NODE_PRINTER, Event: EVENT_PRINTER, Secret: SECRET_PRINTER, ConfigMap: CONFIG_MAP_PRINTER, PersistentVolumeClaim: PVC_PRINTER,
};

function printerOf(kind: string): KindPrinter {
  return kind in KINDS ? crdPrinter(kind as KindName) : (CORE_PRINTERS[kind] ?? DEFAULT_PRINTER);
}

/** kubectl's LABELS cell: `k=v` pairs sorted by key, comma-separated, or `<none>`. */
export function labelsText(labels: Readonly<Record<string, string>> | undefined): string {
  const pairs = Object.keys(labels ?? {}).sort().map((k) => `${k}=${labels?.[k] ?? ''}`);
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

/** kubectl's header of a `-L` column: the key's name after its prefix, upper-case. */
export function labelColumnHeader(key: string): string {
  return (key.split('/').pop() ?? key).toUpperCase();
}

/** The name cell: `name`, or `kind.group/name` when several resource types are printed. */
function nameCell(o: unknown, kind: string, group: string, withKind: boolean): string {
  const name = text(meta(o)['name']);
  if (!withKind) return name;
  const prefix = group === '' ? kind.toLowerCase() : `${kind.toLowerCase()}.${group}`;
  return `${prefix}/${name}`;
}

/** The group of an apiVersion (`kubevirt.io/v1` → `kubevirt.io`, `v1` → ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** The table kubectl prints for `objects` of one kind (`apiVersion` and `kind` name the type). */
export function tableOf(type: { readonly apiVersion: string; readonly kind: string }, objects: readonly unknown[], options: TableOptions): Table {
  const printer = printerOf(type.kind);
  const wide = options.wide ?? false;
  const labelKeys = options.labelColumns ?? [];
  const header = [
    ...(options.withNamespace ? ['NAMESPACE'] : []), ...(printer.nameless ? [] : ['NAME']), ...printer.header(wide), ...labelKeys.map(labelColumnHeader), ...(options.showLabels ? ['LABELS'] : []),
  ];
  const group = groupOf(type.apiVersion);
  const rows = objects.map((o) => {
    const labels = record(meta(o)['labels']) as Readonly<Record<string, string>> | undefined;
    return [
      ...(options.withNamespace ? [text(meta(o)['namespace'])] : []),
      ...(printer.nameless ? [] : [nameCell(o, type.kind, group, options.withKind ?? false)]),
      ...printer.row(o, options.now, wide),
      ...labelKeys.map((k) => labels?.[k] ?? ''),
      ...(options.showLabels ? [labelsText(labels)] : []),
    ];
  });
  return { header, rows };
}

/** The table `kvt get KIND` prints for `objects` of one of our kinds, as text. */
export function printTable(kind: KindName, objects: readonly unknown[], options: TableOptions): string {
  const table = tableOf(KINDS[kind], objects, options);
  return formatRows([table.header, ...table.rows]);
}
