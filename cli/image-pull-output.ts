/**
 * What `kvt image pull` prints while it pulls: on a terminal, one line per layer rewritten in place
 * (`sha256:0123456789ab  12.5 MiB / 40 MiB`); otherwise plain lines, one when a layer starts and one
 * when it is done. And the credentials it pulls with: the docker config's, for the registry or its
 * mirror.
 */
import type { RegistryCredentials } from '../launcher/images/registry-auth.js';
import { parseRegistryRef, type RegistryMirrors } from '../launcher/images/registry-ref.js';
import type { PullEvent } from '../launcher/runtime/image-pull.js';
import { registryCredentials } from '../launcher/runtime/registry-config.js';
import type { CommandIo } from './command.js';
import { formatSize, shortDigest } from './commands/image.js';

/** How often a terminal's progress line is redrawn at most. */
const REDRAW_MS = 200;

/** One layer's progress line. */
export function layerLine(digest: string, received: number, total: number): string {
  return `${shortDigest(digest)}  ${formatSize(received)} / ${formatSize(total)}`;
}

/** The text an event prints (undefined: nothing); a terminal redraws the layer line in place. */
export function pullEventText(e: PullEvent, tty: boolean): string | undefined {
  const clear = tty ? '\r\x1b[K' : '';
  switch (e.kind) {
    case 'resolved':
      return `Pulling ${e.ref} from ${e.from}: ${e.digest}, ${e.layers.length} layer(s)\n`;
    case 'unchanged':
      return `${e.ref} is up to date (${e.digest})\n`;
    case 'layer-start':
      return tty || e.cached ? undefined : `${shortDigest(e.digest)}  pulling ${formatSize(e.size)}\n`;
    case 'layer-bytes':
      return tty ? `${clear}${layerLine(e.digest, e.received, e.size)}` : undefined;
    case 'layer-done':
      return `${clear}${shortDigest(e.digest)}  ${layerDone(e.size, e.cached)}\n`;
  }
}

function layerDone(size: number, cached: boolean): string {
  return cached ? 'already present' : `${formatSize(size)} pulled`;
}

/** The printer of a pull's events; a terminal's progress line is redrawn at most every REDRAW_MS. */
export function pullProgress(io: CommandIo, tty: boolean, now: () => number = Date.now): (e: PullEvent) => void {
  let drawn = 0;
  return (e) => {
    if (e.kind === 'layer-bytes') {
      if (now() - drawn < REDRAW_MS) return;
      drawn = now();
    }
    const text = pullEventText(e, tty);
    if (text !== undefined) io.out(text);
  };
}

/** The docker config's credentials for the reference's registry, else for its mirror's host. */
export async function pullCredentials(ref: string, mirrors: RegistryMirrors): Promise<RegistryCredentials | undefined> {
  let registry: string;
  try {
    registry = parseRegistryRef(ref).registry;
  } catch {
    return undefined;
  }
  return registryCredentials(registry, mirrors);
}
