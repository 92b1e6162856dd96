/**
 * The QEMU guest agent's answers (the JSON `virsh qemu-agent-command` prints: `{"return": …}`) read
 * into the protocol's shapes (launcher/protocol/agent.ts). Defensive: the guest is not trusted, so a
 * reply that is not JSON, or a field of the wrong kind, is dropped (undefined, or the entry left
 * out), never thrown; every list and string is cut to the protocol's bounds. Pure.
 * @see https://www.qemu.org/docs/master/interop/qemu-ga-ref.html
 */
import {
  AGENT_OS_INFO_FIELDS, MAX_AGENT_ADDRESSES, MAX_AGENT_INTERFACES, MAX_AGENT_STRING,
  type AgentInterface, type AgentOsInfo,
} from '../protocol/agent.js';

type Json = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A bounded string, or undefined for anything else (an empty string is no fact either). */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_AGENT_STRING) : undefined;
}

/** The `return` member of an agent reply, or undefined when the reply is not JSON or has none. */
export function agentReturn(reply: string): unknown {
  try {
    const parsed: unknown = JSON.parse(reply);
    return isObject(parsed) ? parsed['return'] : undefined;
  } catch {
    return undefined;
  }
}

/** `guest-info`: the agent's version, or undefined (the answer itself proves the agent is there). */
export function parseGuestInfo(reply: string): { readonly version?: string } | undefined {
  const value = agentReturn(reply);
  if (!isObject(value)) return undefined;
  const version = text(value['version']);
  return version === undefined ? {} : { version };
}

/** The loopback NIC: the guest's own, never a VMI interface (KubeVirt's status leaves it out). */
const LOOPBACK = 'lo';

function readInterface(value: unknown): AgentInterface | undefined {
  if (!isObject(value)) return undefined;
  const interfaceName = text(value['name']);
  if (interfaceName === undefined || interfaceName === LOOPBACK) return undefined;
  const mac = text(value['hardware-address'])?.toLowerCase();
  const listed = Array.isArray(value['ip-addresses']) ? value['ip-addresses'] : [];
  const ipAddresses = listed.map((a) => (isObject(a) ? text(a['ip-address']) : undefined)).filter((a): a is string => a !== undefined).slice(0, MAX_AGENT_ADDRESSES);
  return { interfaceName, ...(mac === undefined ? {} : { mac }), ipAddresses };
}

/** `guest-network-get-interfaces`: the guest's NICs but loopback, or undefined when the answer is no list. */
export function parseNetworkInterfaces(reply: string): AgentInterface[] | undefined {
  const value = agentReturn(reply);
  if (!Array.isArray(value)) return undefined;
  return value.map(readInterface).filter((i): i is AgentInterface => i !== undefined).slice(0, MAX_AGENT_INTERFACES);
}

/**
 * The agent's member for a guestOSInfo field: `guest-get-osinfo` spells its members in kebab-case
 * (`pretty-name`, `version-id`, `kernel-release`), the status the same words in camelCase.
 */
const agentMember = (field: string): string => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `guest-get-osinfo`: `status.guestOSInfo`'s fields that the agent filled, or undefined when it answered no object. */
export function parseOsInfo(reply: string): AgentOsInfo | undefined {
  const value = agentReturn(reply);
  if (!isObject(value)) return undefined;
  const info: Record<string, string> = {};
  for (const field of AGENT_OS_INFO_FIELDS) {
    const v = text(value[agentMember(field)]);
    if (v !== undefined) info[field] = v;
  }
  return info;
}

/** `guest-get-host-name`: the guest's host name. */
export function parseHostName(reply: string): string | undefined {
  const value = agentReturn(reply);
  return isObject(value) ? text(value['host-name']) : undefined;
}

/** `guest-get-timezone`: as KubeVirt reports it, `ZONE, OFFSET` (offset in seconds east of UTC). */
export function parseTimezone(reply: string): string | undefined {
  const value = agentReturn(reply);
  if (!isObject(value) || typeof value['offset'] !== 'number' || !Number.isSafeInteger(value['offset'])) return undefined;
  return `${text(value['zone']) ?? ''}, ${String(value['offset'])}`;
}
