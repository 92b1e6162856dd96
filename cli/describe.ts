/**
 * `kvt describe`'s text: kubectl's layout for custom resources (Name, Namespace, Labels,
 * Annotations, API Version, Kind, then Spec and Status as indented fields), the conditions as a
 * table, and the object's Events. Pure.
 */
import type { KubeObject } from '../core/kube.js';
import { toYaml } from '../core/yaml.js';
import { formatRows, humanDuration } from './printer.js';

/** The fields of an Event `describe` shows. */
export interface EventLike {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly source?: { readonly component?: string };
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly metadata?: { readonly creationTimestamp?: string };
}

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

function eventTime(e: EventLike): string | undefined {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
}

function events(list: readonly EventLike[], now: Date): string[] {
  if (list.length === 0) return ['Events:  <none>'];
  const rows = list.map((e) => {
    const at = eventTime(e);
    return [e.type ?? '', e.reason ?? '', at === undefined ? '<unknown>' : humanDuration(now.getTime() - Date.parse(at)), e.source?.component ?? '', e.message ?? ''];
  });
  return ['Events:', ...formatRows([['Type', 'Reason', 'Age', 'From', 'Message'], ...rows]).trimEnd().split('\n').map((l) => `  ${l}`)];
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
