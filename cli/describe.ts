/**
 * `kvt describe`'s text: kubectl's layout for custom resources (Name, Namespace, Labels,
 * Annotations, API Version, Kind, then Spec and Status as indented fields), the conditions as a
 * table, and the object's Events in kubectl's order. Pure.
 */
import type { KubeObject } from '../core/kube.js';
import { toYaml } from '../core/yaml.js';
import { eventInterval, sortEvents, type EventLike } from './printer.js';

/** The fields of an Event `describe` shows. */
export type { EventLike } from './printer.js';

function pairs(map: Readonly<Record<string, string>> | undefined): string[] {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? ['<none>'] : entries.map(([k, v]) => `${k}=${v}`);
}

const LABEL_WIDTH = 14;

function labelled(label: string, values: readonly string[]): string[] {
  const width = Math.max(LABEL_WIDTH, label.length + 1);
  return values.map((v, i) => `${(i === 0 ? label : '').padEnd(width)}${v}`);
}

function indented(title: string, value: unknown): string[] {
  if (value === undefined) return [];
  const body = toYaml(value).trimEnd().split('\n').map((l) => `  ${l}`);
  return [`${title}:`, ...body];
}

/** kubectl describe's tab writer: columns as wide as their widest cell plus 2, no minimum. */
function describeRows(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)) + 2) ?? [];
  return rows.map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('').trimEnd());
}

/** The Events section: kubectl's order (oldest last occurrence first) and its Age (`30s (x3 over 5m)`). */
function events(list: readonly EventLike[], now: Date): string[] {
  if (list.length === 0) return ['Events:  <none>'];
  const rows = sortEvents(list).map((e) => ['  ' + (e.type ?? ''), e.reason ?? '', eventInterval(e, now), e.source?.component || e.reportingController || e.reportingComponent || '', (e.message ?? '').trim()]);
  return ['Events:', ...describeRows([['  Type', 'Reason', 'Age', 'From', 'Message'], ['  ----', '------', '----', '----', '-------'], ...rows])];
}

/** The describe text of `object` and its events. */
export function describeObject(object: Readonly<KubeObject> & { readonly spec?: unknown; readonly status?: unknown }, eventList: readonly EventLike[], now: Date): string {
  const meta = object.metadata;
  const { status, spec } = object;
  return [
    ...labelled('Name:', [meta.name ?? '']),
    ...(meta.namespace === undefined ? [] : labelled('Namespace:', [meta.namespace])),
    ...labelled('Labels:', pairs(meta.labels)),
    ...labelled('Annotations:', pairs(meta.annotations)),
    ...labelled('API Version:', [object.apiVersion]),
    ...labelled('Kind:', [object.kind]),
    ...indented('Spec', spec),
    ...indented('Status', status),
    ...events(eventList, now),
    '',
  ].join('\n');
}
