/**
 * `kvt guestosinfo|userlist|fslist VMI`: virtctl's guest-agent subresources, which read the guest
 * through the QEMU guest agent. Without the AgentConnected condition they answer exactly as KubeVirt
 * answers for a guest without an agent: virt-api's Conflict, in virtctl's line ("Error listing
 * users of VirtualMachineInstance NAME, an error on the server (…VMI does not have guest agent
 * connected)…"), exit 1. With it, `guestosinfo` prints the OS facts the launcher's agent poller
 * reported (`status.guestOSInfo`) as virtctl prints virt-api's answer (indented JSON);
 * `userlist`/`fslist` are not read from the agent yet and fail saying so. They talk to `kvt daemon`
 * (a cluster's virt-api does not serve them either).
 */
import { parseArgs } from 'node:util';
import { ApiError, isNotFound } from '../../core/errors.js';
import { Gvk, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { guestAgentRefusal, guestOsInfoAnswer } from '../../webhooks/subresources/vmi-lifecycle.js';
import { DAEMON_OPTIONS, withDaemon } from '../daemon-client.js';
import { UsageError, type Command, type CommandIo } from '../command.js';

/** The three commands, with virtctl's words for what failed. */
const VERBS = {
  guestosinfo: { doing: 'getting guestosinfo of', summary: 'print the guest OS information the guest agent reports (as virtctl guestosinfo)' },
  userlist: { doing: 'listing users of', summary: 'list the users logged in to the guest, from the guest agent (as virtctl userlist)' },
  fslist: { doing: 'listing filesystems of', summary: 'list the guest\'s filesystems, from the guest agent (as virtctl fslist)' },
} as const;

type Verb = keyof typeof VERBS;

/**
 * virtctl's line for a refused call: client-go reports virt-api's answer (a 500 carrying the
 * Conflict's text) as "an error on the server (…) has prevented the request from succeeding".
 */
export function guestAgentErrorLine(verb: Verb, name: string, serverMessage: string, notFound: boolean): string {
  const cause = notFound ? serverMessage : `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding`;
  return `Error ${VERBS[verb].doing} VirtualMachineInstance ${name}, ${cause}`;
}

async function run(verb: Verb, args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: DAEMON_OPTIONS, allowPositionals: true, strict: true });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new UsageError(`name one VMI, e.g. \`kvt ${verb} demo\``);
  const namespace = values.namespace ?? 'default';
  const vmi = await withDaemon(values, (kube) => kube.get<VirtualMachineInstance & { apiVersion: string; kind: string }>(Gvk.VirtualMachineInstance, namespace, name)).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
  if (vmi === undefined) {
    io.err(`${guestAgentErrorLine(verb, name, `virtualmachineinstance.kubevirt.io "${name}" not found`, true)}\n`);
    return 1;
  }
  const refusal = guestAgentRefusal(vmi);
  if (refusal !== undefined) {
    io.err(`${guestAgentErrorLine(verb, name, refusal.message, false)}\n`);
    return 1;
  }
  if (verb === 'guestosinfo') {
    io.out(`${JSON.stringify(guestOsInfoAnswer(vmi), null, 2)}\n`);
    return 0;
  }
  throw new ApiError(501, 'NotImplemented', `VMI ${namespace}/${name} has its guest agent connected, but kubevirt-ts launchers do not read ${verb === 'userlist' ? 'the logged-in users' : 'the filesystems'} from it yet`);
}

function command(verb: Verb): Command {
  return {
    name: verb,
    summary: VERBS[verb].summary,
    usage: [
      `kvt ${verb} VMI [-n NS] [--data-dir D | --socket S]`,
      '',
      'Reads the guest through the QEMU guest agent, as virtctl does. Without a connected agent',
      '(no AgentConnected condition) this answers as KubeVirt does (VMI does not have guest agent',
      'connected), exit 1. guestosinfo prints status.guestOSInfo, which the launcher\'s agent poller',
      'fills; userlist and fslist are not read from the agent yet.',
      '',
      'Options:',
      '  -n, --namespace NS  the namespace (default: default)',
      '      --data-dir D    the daemon of this data directory',
      '      --socket S      the daemon listening on this socket',
    ].join('\n'),
    run: (args, io) => run(verb, args, io),
  };
}

/** `kvt guestosinfo VMI`. */
export const guestOsInfoCommand = command('guestosinfo');
/** `kvt userlist VMI`. */
export const userListCommand = command('userlist');
/** `kvt fslist VMI`. */
export const fsListCommand = command('fslist');
