/**
 * ISO9660 images for the launcher's cloud-init and config disks, made by genisoimage (Debian
 * package genisoimage) with Joliet and Rock Ridge, as KubeVirt makes them. The tool gets an
 * argument array and a directory whose contents become the ISO's root: file names and contents
 * never pass through a shell or a command line.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/cloud-init/cloud-init.go (defaultIsoFunc)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubevirtError } from '../../core/errors.js';
import { toolFailureText } from '../../core/tool-failure.js';

const run = promisify(execFile);

/** The ISO tool failed or is missing. */
export class IsoError extends KubevirtError {}

/** What one ISO is made of. */
export interface IsoSpec {
  /** The ISO file to write (an existing file is overwritten in place, keeping its mode). */
  readonly output: string;
  /** The volume id (`cidata`, `config-2`, `cfgdata`, …): at most 32 characters. */
  readonly volumeId: string;
  /** The directory whose contents become the ISO's root. */
  readonly contentDir: string;
  /** @default 'genisoimage' */
  readonly tool?: string;
  /** @default 120000 */
  readonly timeoutMs?: number;
}

/** Longest ISO9660 volume id. */
const MAX_VOLUME_ID = 32;

function isMissingTool(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ENOENT';
}

/**
 * The genisoimage arguments for an ISO: `-joliet -rock` (Rock Ridge keeps names exactly, and the
 * staged files' modes), `-joliet-long` so long key names still fit the Joliet tree, UTF-8 names.
 */
export function isoArguments(spec: Pick<IsoSpec, 'output' | 'volumeId' | 'contentDir'>): string[] {
  if (spec.volumeId === '' || spec.volumeId.length > MAX_VOLUME_ID) {
    throw new IsoError(`ISO volume id ${JSON.stringify(spec.volumeId)} must be 1 to ${MAX_VOLUME_ID} characters`);
  }
  for (const path of [spec.output, spec.contentDir]) {
    if (!path.startsWith('/')) throw new IsoError(`ISO paths must be absolute, not ${JSON.stringify(path)}`);
  }
  return ['-quiet', '-input-charset', 'utf-8', '-output', spec.output, '-volid', spec.volumeId, '-joliet', '-joliet-long', '-rock', spec.contentDir];
}

/** Writes the ISO; throws an {@link IsoError} saying what genisoimage printed. */
export async function makeIso(spec: IsoSpec): Promise<void> {
  const tool = spec.tool ?? 'genisoimage';
  try {
    await run(tool, isoArguments(spec), { timeout: spec.timeoutMs ?? 120_000, maxBuffer: 4 * 1024 * 1024 });
  } catch (e: unknown) {
    const reason = isMissingTool(e) ? `${tool} was not found: install the genisoimage package` : `${tool} failed: ${toolFailureText(e)}`;
    throw new IsoError(`Could not make ISO ${spec.output}: ${reason}`, { cause: e });
  }
}
