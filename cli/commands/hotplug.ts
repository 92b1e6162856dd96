/**
 * `kvt addvolume|removevolume`: virtctl's volume hotplug. kubevirt-ts does not hotplug volumes (no
 * hotplug attachment pods, no live disk attach in the launcher), so these commands exist only to
 * say so, naming KubeVirt's feature and what to do instead, with exit 1: a KubeVirt user who types
 * them gets an answer, not "unknown command".
 */
import type { Command, CommandIo } from '../command.js';

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
      'Options:',
      '  (any: the command takes no action)',
    ].join('\n'),
    run: (_args: readonly string[], io: CommandIo) => {
      io.err(`${hotplugUnsupportedLine(verb)}\n`);
      return Promise.resolve(1);
    },
  };
}

/** `kvt addvolume`. */
export const addVolumeCommand = command('addvolume', 'not supported: volume hotplug (virtctl addvolume); says so');
/** `kvt removevolume`. */
export const removeVolumeCommand = command('removevolume', 'not supported: volume hotplug (virtctl removevolume); says so');
