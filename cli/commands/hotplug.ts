/**
 * `kvt addvolume|removevolume`: virtctl's volume hotplug. kubevirt-ts does not hotplug volumes (no
 * hotplug attachment pods, no live disk attach in the launcher), so these commands exist only to
 * say so, naming KubeVirt's feature and what to do instead, with exit 1: a KubeVirt user who types
 * them gets an answer, not "unknown command".
 */
import { parseArgs } from 'node:util';
import type { Command, CommandIo } from '../command.js';

/** virtctl's flags of each command, accepted so a KubeVirt user's line reaches the explanation. */
const FLAGS = {
  addvolume: {
    'volume-name': { type: 'string' }, serial: { type: 'string' }, cache: { type: 'string' }, 'disk-type': { type: 'string' }, bus: { type: 'string' },
    persist: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, namespace: { type: 'string', short: 'n' },
  },
  removevolume: { 'volume-name': { type: 'string' }, persist: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, namespace: { type: 'string', short: 'n' } },
} as const;

const OPTION_LINES = {
  addvolume: [
    '      --volume-name NAME  virtctl\'s: the volume to add',
    '      --serial S          virtctl\'s: the disk serial',
    '      --cache MODE        virtctl\'s: the disk cache mode',
    '      --disk-type TYPE    virtctl\'s: disk or lun',
    '      --bus BUS           virtctl\'s: the disk bus',
    '      --persist           virtctl\'s: also change the VM',
    '      --dry-run           virtctl\'s: change nothing',
    '  -n, --namespace NS      the namespace',
  ],
  removevolume: [
    '      --volume-name NAME  virtctl\'s: the volume to remove',
    '      --persist           virtctl\'s: also change the VM',
    '      --dry-run           virtctl\'s: change nothing',
    '  -n, --namespace NS      the namespace',
  ],
} as const;

/** The one line both commands print. */
export function hotplugUnsupportedLine(verb: 'addvolume' | 'removevolume'): string {
  const instead = verb === 'addvolume' ? 'add the volume and its disk to the VM\'s template' : 'remove the volume and its disk from the VM\'s template';
  return `error: kvt ${verb}: volume hotplug (KubeVirt's HotplugVolumes feature) is not supported by kubevirt-ts; ${instead} and restart the VM (kvt restart VM)`;
}

function command(verb: 'addvolume' | 'removevolume', summary: string): Command {
  return {
    name: verb,
    summary,
    usage: [
      `kvt ${verb} VMI --volume-name NAME [...]`,
      '',
      `virtctl's ${verb}. Volume hotplug is not supported by kubevirt-ts: this command only says so (exit 1).`,
      'Change the VM\'s template instead and restart the VM.',
      '',
      'virtctl\'s flags are accepted, so a KubeVirt user\'s line reaches this answer; nothing is done.',
      '',
      'Options:',
      ...OPTION_LINES[verb],
    ].join('\n'),
    run: (args: readonly string[], io: CommandIo) => {
      parseArgs({ args: [...args], options: FLAGS[verb], allowPositionals: true, strict: true });
      io.err(`${hotplugUnsupportedLine(verb)}\n`);
      return Promise.resolve(1);
    },
  };
}

/** `kvt addvolume`. */
export const addVolumeCommand = command('addvolume', 'not supported: volume hotplug (virtctl addvolume); says so');
/** `kvt removevolume`. */
export const removeVolumeCommand = command('removevolume', 'not supported: volume hotplug (virtctl removevolume); says so');
