/**
 * What a user may type for a resource and which API type it is, as kubectl resolves it: a kind,
 * plural, singular or short name in any case (`vmis`, `vm`, `VirtualMachine`, `pods`, `po`), with
 * its group and optionally its version (`virtualmachines.kubevirt.io`, `vm.kubevirt.io`,
 * `vmis.v1.kubevirt.io`); the category `all`; and the argument forms of `kubectl get`: `TYPE`,
 * `TYPE NAME…`, `TYPE1,TYPE2 [NAME…]` and `TYPE/NAME…`. Our kinds come from the CRDs, core kinds from a
 * small table. Pure.
 */
import { ApiGroups, KINDS, type KindName } from '../crd-gen/index.js';
import type { ResourceType } from '../core/kube.js';

/** A resolved resource. */
export interface Resource {
  readonly type: ResourceType;
  /** kubectl's `resource.group` (`virtualmachineinstances.kubevirt.io`, `pods`). */
  readonly display: string;
  readonly namespaced: boolean;
  /** Our kind (printer columns from its CRD), or false for a core kind. */
  readonly ours: boolean;
}

interface CoreKind {
  readonly kind: string;
  readonly plural: string;
  readonly names: readonly string[];
  readonly namespaced: boolean;
}

/** The core (v1) kinds kvt names and the daemon serves: each kind's singular, plural and short names. */
export const CORE: readonly CoreKind[] = [
  { kind: 'Pod', plural: 'pods', names: ['pod', 'pods', 'po'], namespaced: true },
  { kind: 'Node', plural: 'nodes', names: ['node', 'nodes', 'no'], namespaced: false },
  { kind: 'Secret', plural: 'secrets', names: ['secret', 'secrets'], namespaced: true },
  { kind: 'ConfigMap', plural: 'configmaps', names: ['configmap', 'configmaps', 'cm'], namespaced: true },
  { kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', names: ['persistentvolumeclaim', 'persistentvolumeclaims', 'pvc'], namespaced: true },
  { kind: 'Event', plural: 'events', names: ['event', 'events', 'ev'], namespaced: true },
  { kind: 'Service', plural: 'services', names: ['service', 'services', 'svc'], namespaced: true },
];

function ours(kind: KindName): Resource {
  const info = KINDS[kind];
  return { type: { apiVersion: info.apiVersion, kind: info.kind }, display: `${info.plural}.${info.group}`, namespaced: info.namespaced, ours: true };
}

function core(c: CoreKind): Resource {
  return { type: { apiVersion: 'v1', kind: c.kind }, display: c.plural, namespaced: c.namespaced, ours: false };
}

function namesOurs(kind: KindName, word: string): boolean {
  const k = KINDS[kind];
  return k.kind.toLowerCase() === word || k.plural === word || k.singular === word || (k.shortNames as readonly string[]).includes(word);
}

/** `name` and what follows its first dot (`vm.kubevirt.io` → `vm`, `kubevirt.io`). */
function splitWord(word: string): [string, string | undefined] {
  const lower = word.toLowerCase();
  const dot = lower.indexOf('.');
  return dot === -1 ? [lower, undefined] : [lower.slice(0, dot), lower.slice(dot + 1)];
}

function oursNamed(name: string, qualifier: string | undefined): Resource | undefined {
  const kind = (Object.keys(KINDS) as KindName[]).find((k) => {
    const info = KINDS[k];
    const qualifies = qualifier === undefined || qualifier === info.group || qualifier === `${info.version}.${info.group}`;
    return qualifies && namesOurs(k, name);
  });
  return kind === undefined ? undefined : ours(kind);
}

/** The resource a word names (`vm`, `virtualmachines.kubevirt.io`, `vmis.v1.kubevirt.io`, `pods`), or undefined. */
export function resolveResource(word: string): Resource | undefined {
  const [name, qualifier] = splitWord(word);
  const found = oursNamed(name, qualifier);
  if (found !== undefined) return found;
  const c = CORE.find((k) => k.names.includes(name));
  return c !== undefined && (qualifier === undefined || qualifier === 'v1') ? core(c) : undefined;
}

/** The resources of kubectl's `all` category that the local control plane serves: pods, then KubeVirt's kinds (its CRDs list them in `all`). */
export function allCategory(): Resource[] {
  const kubevirt = (Object.keys(KINDS) as KindName[]).filter((k) => KINDS[k].group === ApiGroups.kubevirt);
  return [core(CORE[0] as CoreKind), ...kubevirt.map(ours)];
}

/** kubectl's refusal of an unknown resource word. */
export function unknownResource(word: string): string {
  return `error: the server doesn't have a resource type "${word}"`;
}

/** One resource type to get, and the names asked for (none: list them). */
export interface Target {
  readonly resource: Resource;
  readonly names: readonly string[];
}

/** What the arguments of `kvt get` ask for. */
export interface Targets {
  readonly targets: readonly Target[];
  /** One object named once (`get vm demo`, `get vm/demo`): printed as itself, not in a List. */
  readonly singleItem: boolean;
}

const SLASH_MIXED =
  "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kvt get resource/<resource_name>' instead of 'kvt get resource resource/<resource_name>'";

function resolveTypes(words: string, all: boolean): Resource[] | string {
  const out: Resource[] = [];
  for (const word of words.split(',').filter((w) => w !== '')) {
    const found = all && word.toLowerCase() === 'all' ? allCategory() : [resolveResource(word)];
    for (const r of found) {
      if (r === undefined) return unknownResource(word).replace(/^error: /, '');
      if (!out.some((o) => o.display === r.display)) out.push(r);
    }
  }
  return out.length === 0 ? 'Required resource not specified.' : out;
}

function slashTargets(args: readonly string[]): Targets | string {
  const targets: { resource: Resource; names: string[] }[] = [];
  for (const arg of args) {
    const slash = arg.indexOf('/');
    if (slash === -1) return SLASH_MIXED;
    const [type, name] = [arg.slice(0, slash), arg.slice(slash + 1)];
    if (name === '') return `arguments in resource/name form must have a single resource and name`;
    const resource = resolveResource(type);
    if (resource === undefined) return unknownResource(type).replace(/^error: /, '');
    const known = targets.find((t) => t.resource.display === resource.display);
    if (known === undefined) targets.push({ resource, names: [name] });
    else known.names.push(name);
  }
  return { targets, singleItem: args.length === 1 };
}

/**
 * The targets of `kvt get ARGS` (kubectl's ResourceTypeOrNameArgs), or kubectl's message for
 * arguments it refuses: `TYPE[,TYPE…] [NAME…]` (every type gets every name; `all` is the category),
 * or only `TYPE/NAME` arguments.
 */
export function parseTargets(args: readonly string[]): Targets | string {
  if (args.length === 0) return 'Required resource not specified.';
  if (args.some((a) => a.includes('/'))) return slashTargets(args);
  const [words = '', ...names] = args;
  const types = resolveTypes(words, true);
  if (typeof types === 'string') return types;
  return { targets: types.map((resource) => ({ resource, names })), singleItem: types.length === 1 && names.length === 1 };
}

/** `kind.group` of a resource, lower-case (`virtualmachine.kubevirt.io`, `pod`): the prefix of kubectl's `-o name`. */
export function kindPrefix(type: ResourceType): string {
  const slash = type.apiVersion.indexOf('/');
  const group = slash === -1 ? '' : type.apiVersion.slice(0, slash);
  return group === '' ? type.kind.toLowerCase() : `${type.kind.toLowerCase()}.${group}`;
}
