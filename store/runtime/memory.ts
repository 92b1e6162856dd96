/**
 * The in-memory API server of the local mode: a KubeApi with the API server's semantics —
 * resourceVersions, uids, generation, generateName, status subresources, preconditions, finalizers,
 * graceful pod deletion, garbage collection by ownerReferences, list/watch with selectors and a
 * bounded watch history, admission through our webhooks as the writing user, and optional
 * durability in a journal file (store/runtime/persist.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ClusterConfig } from '../../core/cluster-config.js';
import type {
  DeleteOptions, KubeApi, KubeObject, ListOptions, ObjectList, Patch, PatchTarget, PatchType, ResourceType, Watch, WatchEvent, WriteOptions,
} from '../../core/kube.js';
import { typeOf } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { formatKubeTime } from '../../core/time.js';
import { ownershipFor, unownedStatusChanges, type StatusOwners } from '../../core/status-ownership.js';
import type { AdmissionIds, RequestUser } from '../../webhooks/context.js';
import type { AdmissionOperation } from '../../webhooks/review-types.js';
import { admissionSettings, admitWrite, storeLookups, type AdmissionSettings } from '../memory-admission.js';
import { alreadyExists, badRequest, forbidden, invalid, notFound, preconditionConflict, staleConflict, watchUndone } from '../memory-errors.js';
import { copyObject } from '../memory-copy.js';
import { Collector, FOREGROUND_FINALIZER } from '../memory-gc.js';
import { kindKeyOf, ObjectIndex, storeKeyOf } from '../memory-index.js';
import { kindInfo, type KindInfo } from '../memory-kinds.js';
import { listFilter, nameSuffix, namespaceFor, prepareCreate, prepareUpdate, unchanged, withGeneration } from '../memory-meta.js';
import { patched } from '../memory-patch.js';
import { checkFieldValidation } from '../memory-field-validation.js';
import { WatchHub } from '../memory-watch.js';
import { nameRuleOf, objectMetaCauses } from '../../core/object-meta.js';
import { openJournal, type Journal, type Snapshot } from './persist.js';
import { isFinalPhase } from '../../core/phases.js';
import { ApiError } from '../../core/errors.js';
import { lookupKind } from '../../crd-gen/index.js';
import { isPod, podStatusWrite, podUpdateProblem } from '../memory-pod.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Our webhooks on create/update of our kinds (default on); `false` turns admission off. */
  readonly admission?: false | { readonly cfg?: ClusterConfig; readonly ids?: AdmissionIds };
  /** Journal file: state survives restarts; every write is durable before it resolves. */
  readonly dataFile?: string;
  readonly now?: () => Date;
  readonly uid?: () => string;
  readonly log?: Logger;
  /** Changes kept for watches from an older resourceVersion. @default 10000 */
  readonly watchHistory?: number;
  /**
   * The status fields each component's user owns (core/status-ownership.ts): a status write of a
   * user named here that changes another field is refused (403). Users not named are not checked.
   */
  readonly statusOwners?: StatusOwners;
}

/** The in-memory API server. Its own writes are made as an admin (`system:admin`). */
export interface MemoryStore extends KubeApi {
  /** A view whose writes are made (and admitted) as `user`. */
  client(user?: RequestUser): KubeApi;
  /** Forgets the watch history: a watch from any earlier resourceVersion then ends with 410 Gone. */
  expireWatchHistory(): void;
  /** Resolves once garbage collection has nothing left to do. */
  settled(): Promise<void>;
  /** Ends every watch, waits for garbage collection and flushes the journal. */
  close(): Promise<void>;
}

/** The admin user the store writes as by default. */
export const STORE_ADMIN: RequestUser = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

type Obj = KubeObject & Record<string, unknown>;

function patchedObject(stored: Obj, body: unknown, patchType: PatchType): Obj {
  const result = patched(stored, body, patchType) as Obj | null;
  if (typeof result !== 'object' || result === null || typeof result.metadata !== 'object') throw badRequest('the patched object is not an object with metadata');
  return result;
}

/** One patch call. */
interface PatchRequest {
  readonly type: ResourceType;
  readonly target: { readonly namespace?: string; readonly name: string; readonly subresource?: 'status' };
  readonly body: unknown;
  readonly patchType: PatchType;
  readonly fieldManager?: string | undefined;
  readonly user?: RequestUser | undefined;
  readonly write?: EngineWrite | undefined;
}

/** What a caller asks of one write besides the object: store nothing, and how unknown fields are treated. */
type EngineWrite = Pick<WriteOptions, 'dryRun' | 'fieldValidation' | 'warnings'>;

interface Located {
  readonly info: KindInfo;
  readonly kind: string;
  readonly key: string;
  readonly name: string;
}

const clone = <T>(o: T): T => copyObject(o);


function locate(type: ResourceType, namespace: string | undefined, name: string): Located {
  const info = kindInfo(type);
  return { info, kind: kindKeyOf(type), key: storeKeyOf(namespaceFor(info, namespace), name), name };
}

const kindGroup = (o: ResourceType): string => (o.apiVersion.includes('/') ? `${o.kind}.${o.apiVersion.slice(0, o.apiVersion.indexOf('/'))}` : o.kind);

/** Refuses an object whose metadata the API server would refuse (every kind, before admission). */
function checkMeta(object: KubeObject, info: KindInfo): void {
  const causes = objectMetaCauses(object, { namespaced: info.namespaced, nameRule: nameRuleOf(object.kind) });
  if (causes.length === 0) return;
  const name = (object.metadata as { name?: unknown }).name;
  throw invalid(kindGroup(object), typeof name === 'string' ? name : '', causes);
}

function isTerminalOrUnbound(pod: Obj): boolean {
  const nodeName = (pod['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '';
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase ?? '';
  return nodeName === '' || isFinalPhase(phase);
}

/**
 * A copy of what a pod status write takes from the request: its status, labels, annotations and
 * finalizers. The rest (the spec, the bulk of a pod) is never read, so it is not copied.
 */
function podStatusRequest(object: KubeObject): Obj {
  const { labels, annotations, finalizers } = object.metadata;
  return clone({ apiVersion: object.apiVersion, kind: object.kind, metadata: { labels, annotations, finalizers }, status: (object as Obj)['status'] });
}

/** Kubernetes' default `terminationGracePeriodSeconds` of a pod (the Pod API's, not a VMI's). */
const POD_GRACE_SECONDS = 30;

/** The grace period a delete gives a pod (0: delete now), as the pod strategy computes it. */
function podGrace(stored: Obj, options: DeleteOptions): number {
  if (!isPod(stored) || isTerminalOrUnbound(stored)) return 0;
  const spec = stored['spec'] as { terminationGracePeriodSeconds?: number };
  return options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? POD_GRACE_SECONDS;
}

class Engine {
  readonly index = new ObjectIndex();
  private rv = 0;
  private readonly hub: WatchHub;
  private readonly journal: Journal | undefined;
  private readonly admission: AdmissionSettings | undefined;
  private readonly gc: Collector;
  private readonly now: () => Date;
  private readonly uid: () => string;

  constructor(private readonly options: MemoryStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.uid = options.uid ?? randomUUID;
    this.journal = options.dataFile === undefined ? undefined : this.restore(options.dataFile);
    this.hub = new WatchHub(options.watchHistory ?? 10000, this.rv);
    this.admission = options.admission === false ? undefined : admissionSettings(options.admission ?? {}, storeLookups(this.index), this.now, this.uid);
    this.gc = new Collector({
      byUid: (uid) => this.index.byUid(uid),
      dependents: (uid) => this.index.dependents(uid),
      remove: (o) => this.delete(typeOf(o), o.metadata.namespace, o.metadata.name ?? '', { uid: o.metadata.uid ?? '' }),
      setMeta: (o, meta) => this.update({ ...o, metadata: { ...o.metadata, ...meta, resourceVersion: undefined } }, undefined, false).then(() => undefined),
      onError: (e) => this.options.log?.warn({ err: e }, 'Could not collect garbage of an owner'),
    });
  }

  private restore(file: string): Journal {
    const journal = openJournal(file, {
      snapshot: () => ({ rv: this.rv, objects: this.index.everything() }),
      keyFor: (o) => ({ kind: kindKeyOf(o), key: storeKeyOf(o.metadata.namespace, o.metadata.name ?? '') }),
      onUndo: (durable, error) => this.undo(durable, error),
      warn: (message) => this.options.log?.warn(message),
    });
    this.load(journal.restored);
    return journal;
  }

  private load(snapshot: Snapshot): void {
    this.index.clear();
    for (const o of snapshot.objects) this.index.put(kindKeyOf(o), storeKeyOf(o.metadata.namespace, o.metadata.name ?? ''), o);
    this.rv = Math.max(this.rv, snapshot.rv);
  }

  /**
   * A journal append failed and was undone: the store becomes what is on disk again. Every watch
   * ends with 410 Expired (its events may name undone writes), so clients list afresh; the
   * resourceVersion counter keeps counting up, so no version a client saw is reused.
   */
  private undo(durable: Snapshot, error: Error): void {
    this.options.log?.error({ err: error }, 'A write could not be saved; the writes not on disk were undone');
    this.load(durable);
    this.hub.expire(this.rv);
    this.hub.endAll(watchUndone(this.rv));
  }

  private durable(): Promise<void> {
    return this.journal?.flushed() ?? Promise.resolve();
  }

  private commit(at: Located, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Obj, prev?: Obj): Obj {
    this.rv += 1;
    const stored: Obj = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.rv) } };
    if (type === 'DELETED') this.index.remove(at.kind, at.key);
    else this.index.put(at.kind, at.key, stored);
    this.hub.publish({ rv: this.rv, type, kind: at.kind, object: stored, ...(prev === undefined ? {} : { prev }) });
    if (type === 'DELETED') this.journal?.remove({ kind: at.kind, key: at.key }, this.rv);
    else this.journal?.put(stored);
    this.collect(type, stored);
    return stored;
  }

  private collect(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Obj): void {
    const uid = object.metadata.uid ?? '';
    const owners = object.metadata.ownerReferences ?? [];
    if (type === 'DELETED') return this.collectRemoved(uid, owners);
    if (owners.some((r) => this.index.byUid(r.uid) === undefined)) this.gc.checkDependent(uid);
    if (object.metadata.deletionTimestamp !== undefined && (object.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)) this.gc.foreground(uid);
  }

  private collectRemoved(uid: string, owners: readonly { readonly uid: string }[]): void {
    if (this.index.dependents(uid).length > 0) this.gc.ownerGone(uid);
    for (const r of owners) if (this.index.byUid(r.uid)?.metadata.deletionTimestamp !== undefined) this.gc.foreground(r.uid);
  }

  private stored(at: Located): Obj {
    const o = this.index.get(at.kind, at.key);
    if (o === undefined) throw notFound(at.info.resource, at.name);
    return o as Obj;
  }

  private admit(object: Obj, old: Obj | undefined, operation: AdmissionOperation, by: { readonly user: RequestUser | undefined; readonly warnings: string[] | undefined }): Obj {
    return this.admission === undefined ? object : admitWrite({ object, old, operation, user: by.user ?? STORE_ADMIN, warnings: by.warnings }, this.admission);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): Obj {
    return clone(this.stored(locate(type, namespace, name)));
  }

  list(type: ResourceType, options?: ListOptions): ObjectList<Obj> {
    const matches = listFilter(options, kindInfo(type));
    const items = [...this.index.all(kindKeyOf(type))].filter(matches) as Obj[];
    const keyed = items.map((o) => ({ o, key: storeKeyOf(o.metadata.namespace, o.metadata.name ?? '') }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { items: keyed.map(({ o }) => clone(o)), resourceVersion: String(this.rv) };
  }

  watch(type: ResourceType, options: ListOptions & { readonly resourceVersion: string }, onEvent: (event: WatchEvent) => void): Watch {
    const matches = listFilter(options, kindInfo(type));
    const text = options.resourceVersion;
    const initial = text === '' || text === '0' ? [...this.index.all(kindKeyOf(type))] : undefined;
    const rv = initial === undefined ? Number(text) : this.rv;
    if (!Number.isSafeInteger(rv) || rv < 0) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(text)}: must be a decimal resource version`);
    return this.hub.watch(kindKeyOf(type), { rv, text, ...(initial === undefined ? {} : { initial }) }, matches, onEvent);
  }

  private nameFor(at: { kind: string; info: KindInfo; namespace: string | undefined }, object: Obj): string {
    const { name, generateName } = object.metadata;
    if (name !== undefined && name !== '') return name;
    if (generateName === undefined || generateName === '') {
      throw invalid(kindGroup(object), '', [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    for (let i = 0; i < 16; i++) {
      const candidate = `${generateName}${nameSuffix(Math.random)}`;
      if (this.index.get(at.kind, storeKeyOf(at.namespace, candidate)) === undefined) return candidate;
    }
    return `${generateName}${nameSuffix(Math.random)}`;
  }

  async create(object: KubeObject, user: RequestUser | undefined, write: EngineWrite = {}): Promise<Obj> {
    const type = typeOf(object);
    const info = kindInfo(type);
    checkMeta(object, info);
    checkFieldValidation(object, write.fieldValidation);
    const namespace = namespaceFor(info, object.metadata.namespace);
    const kind = kindKeyOf(type);
    const name = this.nameFor({ kind, info, namespace }, object as Obj);
    const at: Located = { info, kind, key: storeKeyOf(namespace, name), name };
    const given = clone(object) as Obj;
    const meta = { ...given.metadata, name, namespace };
    if (namespace === undefined) delete meta.namespace;
    if (this.index.get(kind, at.key) !== undefined) throw alreadyExistsOf(at);
    const admitted = this.admit({ ...given, metadata: meta }, undefined, 'CREATE', { user, warnings: write.warnings });
    const prepared = prepareCreate({ ...admitted, metadata: { ...admitted.metadata, name, ...(namespace === undefined ? {} : { namespace }) } }, info, { uid: this.uid(), now: formatKubeTime(this.now()) });
    if (write.dryRun === true) return clone(prepared);
    const stored = this.commit(at, 'ADDED', prepared);
    await this.durable();
    return clone(stored);
  }

  private replace(at: Located, next: Obj, stored: Obj): Obj {
    if (unchanged(next, stored)) return stored;
    const written = this.commit(at, 'MODIFIED', next, stored);
    if (written.metadata.deletionTimestamp !== undefined && (written.metadata.finalizers ?? []).length === 0) this.commit(at, 'DELETED', written);
    return written;
  }

  private precondition(at: Located, object: KubeObject, stored: Obj): void {
    const rv = object.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== stored.metadata.resourceVersion) throw staleConflict(at.info.resource, at.name);
  }

  async update(object: KubeObject, user: RequestUser | undefined, admission = true, write: EngineWrite = {}): Promise<Obj> {
    checkMeta(object, kindInfo(typeOf(object)));
    checkFieldValidation(object, write.fieldValidation);
    const at = locate(typeOf(object), object.metadata.namespace, object.metadata.name ?? '');
    const stored = this.stored(at);
    this.precondition(at, object, stored);
    let next = prepareUpdate(clone(object) as Obj, stored, at.info);
    refuseNewFinalizers(next, stored);
    refuseImmutablePodChange(next, stored);
    if (admission) next = prepareUpdate(this.admit(next, stored, 'UPDATE', { user, warnings: write.warnings }), stored, at.info);
    if (write.dryRun === true) return clone(withGeneration(next, stored));
    const written = this.replace(at, withGeneration(next, stored), stored);
    await this.durable();
    return clone(written);
  }

  async updateStatus(object: KubeObject, user: RequestUser | undefined): Promise<Obj> {
    const at = locate(typeOf(object), object.metadata.namespace, object.metadata.name ?? '');
    const stored = this.stored(at);
    if (!at.info.hasStatus) throw notFound(at.info.resource, `${at.name}/status`);
    this.precondition(at, object, stored);
    const status = (object as Obj)['status'];
    this.checkStatusOwner(at, stored, status, user);
    // A pod's status write may also relabel it (as pods/status does); a custom resource's changes only its status.
    const next: Obj = isPod(stored) ? podStatusWrite(stored, podStatusRequest(object)) : { ...stored };
    if (!isPod(stored)) {
      if (status === undefined) delete next['status'];
      else next['status'] = clone(status);
    }
    const written = this.replace(at, next, stored);
    await this.durable();
    return clone(written);
  }

  /** Refuses a component's status write outside the fields it declared (MemoryStoreOptions.statusOwners). */
  private checkStatusOwner(at: Located, stored: Obj, status: unknown, user: RequestUser | undefined): void {
    const owners = this.options.statusOwners;
    if (owners === undefined || user === undefined) return;
    const owned = ownershipFor(owners, user.username, stored);
    if (owned === undefined) return;
    const outside = unownedStatusChanges(stored['status'] as Record<string, unknown> | undefined, status as Record<string, unknown> | undefined, owned);
    if (outside.length === 0) return;
    const writer = owners.get(user.username)?.[0]?.writer ?? user.username;
    throw forbidden(at.info.resource, at.name, `${writer} (User ${JSON.stringify(user.username)}) may not write ${outside.join(', ')} of a ${stored.kind}: another component owns ${outside.length === 1 ? 'it' : 'them'}`);
  }

  async patch(request: PatchRequest): Promise<Obj> {
    const { type, target, body, patchType } = request;
    checkPatchRequest(request);
    const at = locate(type, target.namespace, target.name);
    const stored = this.index.get(at.kind, at.key) as Obj | undefined;
    if (stored === undefined && patchType === 'apply' && target.subresource === undefined) {
      const fresh = patched({ apiVersion: type.apiVersion, kind: type.kind, metadata: { name: target.name, namespace: target.namespace } }, body, 'apply') as Obj;
      return this.create(fresh, request.user, request.write);
    }
    const result = patchedObject(clone(stored ?? this.stored(at)), body, patchType);
    const object = { ...result, apiVersion: type.apiVersion, kind: type.kind, metadata: { ...result.metadata, name: target.name, namespace: target.namespace } };
    if (target.subresource === 'status') return this.updateStatus(object, request.user);
    return this.update(object, request.user, true, request.write);
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<void> {
    const at = locate(type, namespace, name);
    const stored = this.stored(at);
    checkDeletePreconditions(at, stored, options);
    const grace = podGrace(stored, options);
    if (grace > 0) this.markGraceful(at, stored, grace);
    else this.deleteNow(at, stored, options.propagationPolicy ?? 'Background');
    await this.durable();
  }

  private markGraceful(at: Located, stored: Obj, grace: number): void {
    const current = stored.metadata.deletionGracePeriodSeconds;
    if (stored.metadata.deletionTimestamp !== undefined && current !== undefined && current <= grace) return;
    const deletionTimestamp = formatKubeTime(new Date(this.now().getTime() + grace * 1000));
    this.commit(at, 'MODIFIED', { ...stored, metadata: { ...stored.metadata, deletionTimestamp, deletionGracePeriodSeconds: grace } }, stored);
  }

  private deleteNow(at: Located, stored: Obj, policy: NonNullable<DeleteOptions['propagationPolicy']>): void {
    if (policy === 'Orphan') this.orphan(stored);
    const finalizers = [...(stored.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER)) finalizers.push(FOREGROUND_FINALIZER);
    if (finalizers.length === 0) {
      this.commit(at, 'DELETED', stored);
      return;
    }
    const deletionTimestamp = stored.metadata.deletionTimestamp ?? formatKubeTime(this.now());
    const next: Obj = { ...stored, metadata: { ...stored.metadata, deletionTimestamp, deletionGracePeriodSeconds: 0, finalizers } };
    this.replace(at, next, stored);
  }

  private orphan(owner: Obj): void {
    const uid = owner.metadata.uid ?? '';
    for (const dep of this.index.dependents(uid)) {
      const refs = (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      const at = locate(typeOf(dep), dep.metadata.namespace, dep.metadata.name ?? '');
      const { ownerReferences: _drop, ...rest } = dep.metadata;
      const meta = refs.length === 0 ? rest : { ...rest, ownerReferences: refs };
      this.commit(at, 'MODIFIED', { ...dep, metadata: meta } as Obj, dep as Obj);
    }
  }

  expireWatchHistory(): void {
    this.hub.expire(this.rv);
  }

  settled(): Promise<void> {
    return this.gc.idle();
  }

  async close(): Promise<void> {
    this.hub.closeAll();
    await this.gc.idle();
    await this.journal?.close();
  }
}

/**
 * kube-apiserver's answer to a strategic merge patch of a custom resource: it has no Go type to take
 * patch strategies from, so only JSON, merge and apply patches are accepted (415).
 */
const strategicUnsupported = (): ApiError =>
  new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');

/** Refuses what no object makes right: a strategic merge patch of our kinds, an apply without a field manager. */
function checkPatchRequest(request: PatchRequest): void {
  if (request.patchType === 'strategic' && lookupKind(request.type.apiVersion, request.type.kind) !== undefined) throw strategicUnsupported();
  if (request.patchType === 'apply' && (request.fieldManager ?? '') === '') {
    throw invalid('PatchOptions.meta.k8s.io', '', [{ type: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }]);
  }
}

/** The engine's part of a caller's write options. */
function writeOf(options: WriteOptions | undefined): EngineWrite {
  return {
    ...(options?.dryRun === true ? { dryRun: true } : {}),
    ...(options?.fieldValidation === undefined ? {} : { fieldValidation: options.fieldValidation }),
    ...(options?.warnings === undefined ? {} : { warnings: options.warnings }),
  };
}

const alreadyExistsOf = (at: Located): Error => alreadyExists(at.info.resource, at.name);

function refuseNewFinalizers(next: Obj, stored: Obj): void {
  if (stored.metadata.deletionTimestamp === undefined) return;
  const before = new Set(stored.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  if (added.length === 0) return;
  throw invalid(kindGroup(stored), stored.metadata.name ?? '', [
    { type: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` },
  ]);
}

function refuseImmutablePodChange(next: Obj, stored: Obj): void {
  const problem = isPod(stored) ? podUpdateProblem(stored, next) : undefined;
  if (problem === undefined) return;
  throw invalid('Pod', stored.metadata.name ?? '', [{ type: 'FieldValueForbidden', field: 'spec', message: problem }]);
}

function checkDeletePreconditions(at: Located, stored: Obj, options: DeleteOptions): void {
  if (options.uid !== undefined && options.uid !== stored.metadata.uid) {
    throw preconditionConflict(at.info.resource, at.name, `UID in precondition: ${options.uid}, UID in object meta: ${stored.metadata.uid ?? ''}`);
  }
  if (options.resourceVersion !== undefined && options.resourceVersion !== stored.metadata.resourceVersion) {
    throw preconditionConflict(at.info.resource, at.name, `ResourceVersion in precondition: ${options.resourceVersion}, ResourceVersion in object meta: ${stored.metadata.resourceVersion ?? ''}`);
  }
}

/**
 * The stored object as the caller's type. KubeApi's results are typed by the caller (as client-go's
 * typed clients are): the store holds whatever was admitted for that kind, and this is the one place
 * that says so.
 */
const asStored = <T>(object: unknown): T => object as T;

/** The KubeApi of one user over the engine. */
class View implements KubeApi {
  constructor(
    protected readonly engine: Engine,
    private readonly user: RequestUser | undefined,
  ) {}

  get<T extends KubeObject>(type: ResourceType, namespace: string | undefined, name: string): Promise<T> {
    return Promise.resolve().then(() => asStored<T>(this.engine.get(type, namespace, name)));
  }

  list<T extends KubeObject>(type: ResourceType, options?: ListOptions): Promise<ObjectList<T>> {
    return Promise.resolve().then(() => asStored<ObjectList<T>>(this.engine.list(type, options)));
  }

  watch<T extends KubeObject>(type: ResourceType, options: ListOptions & { readonly resourceVersion: string }, onEvent: (event: WatchEvent<T>) => void): Promise<Watch> {
    return Promise.resolve().then(() => this.engine.watch(type, options, onEvent as (event: WatchEvent) => void));
  }

  async create<T extends KubeObject>(object: T, options?: WriteOptions): Promise<T> {
    return asStored<T>(await this.engine.create(object, this.user, writeOf(options)));
  }

  async update<T extends KubeObject>(object: T, options?: WriteOptions): Promise<T> {
    return asStored<T>(await this.engine.update(object, this.user, true, writeOf(options)));
  }

  async updateStatus<T extends KubeObject>(object: T): Promise<T> {
    return asStored<T>(await this.engine.updateStatus(object, this.user));
  }

  async patch<T extends KubeObject>(type: ResourceType, target: PatchTarget, patch: Patch, options?: WriteOptions): Promise<T> {
    return asStored<T>(await this.engine.patch({ type, target, body: patch.body, patchType: patch.type, fieldManager: options?.fieldManager, user: this.user, write: writeOf(options) }));
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<void> {
    return this.engine.delete(type, namespace, name, options);
  }
}

class Store extends View implements MemoryStore {
  client(user?: RequestUser): KubeApi {
    return new View(this.engine, user ?? STORE_ADMIN);
  }

  expireWatchHistory(): void {
    this.engine.expireWatchHistory();
  }

  settled(): Promise<void> {
    return this.engine.settled();
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

/**
 * A new in-memory API server; with `dataFile`, the state that file holds (a torn or corrupt file
 * throws a StoreFileError naming it).
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  return new Store(new Engine(options), STORE_ADMIN);
}
