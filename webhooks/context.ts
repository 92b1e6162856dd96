/**
 * What admission may consult besides the object itself, passed in by the edge (the webhook server's
 * informer caches, the local store, or the files `kvt validate` read), and what it returns.
 * Pure code never looks anything up on its own, and never draws random values: the edge supplies
 * them through `ids`.
 */
import type { ClusterConfig } from '../core/cluster-config.js';
import type {
  VirtualMachineClusterInstancetype, VirtualMachineClusterPreference, VirtualMachineInstancePreset, VirtualMachineInstancetype,
  VirtualMachinePreference,
} from '../crd-gen/index.js';
import type { Cause } from './cause.js';

/** Read-only views of the objects admission depends on (an informer cache or the local store). */
export interface AdmissionLookups {
  /** Every VirtualMachineInstancePreset of a namespace. */
  presets(namespace: string): readonly VirtualMachineInstancePreset[];
  /** A namespaced instancetype, or undefined. */
  instancetype(namespace: string, name: string): VirtualMachineInstancetype | undefined;
  /** A cluster instancetype, or undefined. */
  clusterInstancetype(name: string): VirtualMachineClusterInstancetype | undefined;
  /** A namespaced preference, or undefined. */
  preference(namespace: string, name: string): VirtualMachinePreference | undefined;
  /** A cluster preference, or undefined. */
  clusterPreference(name: string): VirtualMachineClusterPreference | undefined;
  /**
   * Labels of a PersistentVolumeClaim or DataVolume (instancetype inference reads them), or
   * undefined when the object does not exist.
   */
  volumeLabels(namespace: string, kind: 'PersistentVolumeClaim' | 'DataVolume' | 'DataSource', name: string): Readonly<Record<string, string>> | undefined;
}

/** Values KubeVirt draws at random, drawn by the edge (tests pass fixed ones). */
export interface AdmissionIds {
  /** A fresh v4 UUID (VMI firmware UUID, VM firmware UUID and serial). */
  uuid(): string;
}

/** Who is asking (AdmissionReview `request.userInfo`). */
export interface RequestUser {
  readonly username: string;
  readonly groups?: readonly string[];
  /** `userInfo.extra` (a bound token's `authentication.kubernetes.io/node-name`, …). */
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** Everything admission takes besides the object. */
export interface AdmissionContext {
  readonly cfg: ClusterConfig;
  readonly lookups: AdmissionLookups;
  readonly ids: AdmissionIds;
  readonly user?: RequestUser;
  /** The request's time (phase transition timestamps); pure code never reads the clock. */
  readonly now: Date;
}

/** What a mutation returns: the changed object, or why it was refused. */
export type MutationResult<T> =
  | { readonly ok: true; readonly object: T; readonly warnings: readonly string[] }
  | {
      readonly ok: false;
      readonly causes: readonly Cause[];
      /** HTTP-style status code of the denial. @default 422 */
      readonly code?: number;
      /** A summary when there are no causes (KubeVirt's 400 denials). */
      readonly message?: string;
    };

/** Lookups that find nothing: for callers without any (tests, single-object checks). */
export const NO_LOOKUPS: AdmissionLookups = {
  presets: () => [],
  instancetype: () => undefined,
  clusterInstancetype: () => undefined,
  preference: () => undefined,
  clusterPreference: () => undefined,
  volumeLabels: () => undefined,
};
