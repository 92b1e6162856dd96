/**
 * A launcher's identity and where its run directory is: shared by the launcher, the node handler
 * (which writes `vmi.json` and connects to `launcher.sock` there, names launcher/protocol owns) and
 * the local kubelet (pid files).
 * Pure: the id is derived from the VMI's identity, never random, so every party finds the same
 * directory, and a crashed launcher's leftovers are found again by the next one for the same VMI.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';

/** Identity of a VMI as far as its launcher is concerned. */
export interface VmiIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** The identity of a VMI object (a namespace-less one is in `default`). */
export function vmiIdentity(vmi: { readonly metadata: { readonly namespace?: string; readonly name?: string; readonly uid?: string } }): VmiIdentity {
  return { namespace: vmi.metadata.namespace ?? 'default', name: vmi.metadata.name ?? '', uid: vmi.metadata.uid ?? '' };
}

/** 10 hex digits of sha256(`namespace/name/uid`). */
export function launcherId(vmi: VmiIdentity): string {
  return createHash('sha256').update(`${vmi.namespace}/${vmi.name}/${vmi.uid}`).digest('hex').slice(0, 10);
}

/** The run directory of the launcher of `vmi`: `<runRoot>/<launcherId>`. */
export function runDirFor(runRoot: string, vmi: VmiIdentity): string {
  return posix.join(runRoot, launcherId(vmi));
}

/** Whether two identities name the same VMI (namespace, name and uid all equal). */
export function sameIdentity(a: VmiIdentity, b: VmiIdentity): boolean {
  return a.namespace === b.namespace && a.name === b.name && a.uid === b.uid;
}
