import { describe, expect, it } from 'vitest';
import { parseHandedOverVmi, parseLauncherCommand, parseLauncherEvent, type LauncherEvent } from './index.js';

const TIME = '2025-01-02T03:04:05.678Z';
const hello = {
  type: 'hello', protocol: 2, vmi: { namespace: 'default', name: 'v', uid: 'u-1' }, domain: 'default_v', pid: 42,
  consoleSocket: '/run/kvt/x/console.sock', hypervisor: 'kvm',
} as const;
const line = (value: unknown): string => JSON.stringify(value);

describe('parseLauncherEvent accepts', () => {
  it.each<[string, LauncherEvent]>([
    ['hello', hello],
    ['hello with a VNC socket', { ...hello, vncSocket: '/run/kvt/x/q/virt-vnc' }],
    ['hello of a VMI without uid (a launcher run from a file)', { ...hello, vmi: { ...hello.vmi, uid: '' } }],
    ['domain', { type: 'domain', state: 'Paused', reason: 'User', time: TIME }],
    ['phase', { type: 'phase', phase: 'Running', time: TIME }],
    ['phase with reason and message', { type: 'phase', phase: 'Failed', reason: 'LibvirtdDied', message: 'libvirtd ended', time: TIME }],
    ['network', { type: 'network', interfaces: [{ name: 'default', mac: '02:aa:bb:cc:dd:ee', ipAddress: '10.244.0.7', ipAddresses: ['10.244.0.7'], infoSource: 'domain', podInterfaceName: 'eth0', queueCount: 1 }], time: TIME }],
    ['network without interfaces (user networking)', { type: 'network', interfaces: [], time: TIME }],
    ['agent, connected, with NICs and OS info', {
      type: 'agent', connected: true, version: '7.2.0', interfaces: [{ interfaceName: 'enp1s0', mac: '02:aa:bb:cc:dd:ee', ipAddresses: ['10.0.2.2', 'fe80::1'] }],
      osInfo: { id: 'debian', name: 'Debian GNU/Linux', versionId: '12' }, hostname: 'guest', timezone: 'UTC, 0', time: TIME,
    }],
    ['agent, not answering', { type: 'agent', connected: false, interfaces: [], time: TIME }],
    ['synced', { type: 'synced' }],
    ['reply ok', { type: 'reply', id: 'c-1', ok: true }],
    ['reply with an error', { type: 'reply', id: 'c-1', ok: false, error: 'cannot pause now' }],
    ['reply to a line without id', { type: 'reply', id: '', ok: false, error: 'not a JSON object' }],
  ])('%s', (_name, event) => {
    expect(parseLauncherEvent(line(event))).toEqual({ ok: true, message: event });
  });

  it('keeps only the fields it knows (a newer launcher may send more)', () => {
    expect(parseLauncherEvent(line({ type: 'synced', extra: 1 }))).toEqual({ ok: true, message: { type: 'synced' } });
    expect(parseLauncherEvent(line({ ...hello, vmi: { ...hello.vmi, extra: true }, extra: 'x' }))).toEqual({ ok: true, message: hello });
  });
});

describe('parseLauncherEvent refuses', () => {
  it.each<[string, string, string]>([
    ['not JSON', 'not json', 'launcher event: not a JSON object'],
    ['an array', '[]', 'launcher event: not a JSON object'],
    ['null', 'null', 'launcher event: not a JSON object'],
    ['no type', line({ id: 'x' }), '"type" must be one of hello, domain, phase, network, agent, synced, reply (missing)'],
    ['an unknown type', line({ type: 'bogus' }), '"type" must be one of hello, domain, phase, network, agent, synced, reply, not "bogus"'],
    ['hello of another protocol version', line({ ...hello, protocol: 1 }), '"protocol" must be 2, not 1'],
    ['hello without vmi', line({ ...hello, vmi: undefined }), '"vmi" must be an object (missing)'],
    ['hello with a vmi that is a string', line({ ...hello, vmi: 'default/v' }), '"vmi" must be an object, not "default/v"'],
    ['hello with an empty vmi name', line({ ...hello, vmi: { ...hello.vmi, name: '' } }), '"vmi.name" must be a non-empty string, not ""'],
    ['hello with a numeric uid', line({ ...hello, vmi: { ...hello.vmi, uid: 7 } }), '"vmi.uid" must be a string, not 7'],
    ['hello without domain', line({ ...hello, domain: undefined }), '"domain" must be a non-empty string (missing)'],
    ['hello with pid 0', line({ ...hello, pid: 0 }), '"pid" must be a positive integer, not 0'],
    ['hello with a fractional pid', line({ ...hello, pid: 1.5 }), '"pid" must be a positive integer, not 1.5'],
    ['hello with a pid string', line({ ...hello, pid: '42' }), '"pid" must be a positive integer, not "42"'],
    ['hello without consoleSocket', line({ ...hello, consoleSocket: undefined }), '"consoleSocket" must be a non-empty string (missing)'],
    ['hello with a vncSocket number', line({ ...hello, vncSocket: 5900 }), '"vncSocket" must be a string when present, not 5900'],
    ['hello with an unknown hypervisor', line({ ...hello, hypervisor: 'xen' }), '"hypervisor" must be one of kvm, qemu, not "xen"'],
    ['domain with an unknown state', line({ type: 'domain', state: 'Blocked', reason: 'x', time: TIME }), '"state" must be one of Running, Paused, Shutoff, Shutdown, Crashed, Pending, NoState, not "Blocked"'],
    ['domain without reason', line({ type: 'domain', state: 'Running', time: TIME }), '"reason" must be a string (missing)'],
    ['domain without time', line({ type: 'domain', state: 'Running', reason: 'Unknown' }), '"time" must be an ISO 8601 time (missing)'],
    ['domain with a time that is no time', line({ type: 'domain', state: 'Running', reason: 'Unknown', time: 't1' }), '"time" must be an ISO 8601 time, not "t1"'],
    ['phase with an unknown phase', line({ type: 'phase', phase: 'Booting', time: TIME }), '"phase" must be one of Pending, Preparing, Starting, Running, Stopping, Stopped, Failed, not "Booting"'],
    ['phase with a numeric reason', line({ type: 'phase', phase: 'Failed', reason: 3, time: TIME }), '"reason" must be a string when present, not 3'],
    ['phase with a message object', line({ type: 'phase', phase: 'Failed', message: {}, time: TIME }), '"message" must be a string when present, not {}'],
    ['phase without time', line({ type: 'phase', phase: 'Running' }), '"time" must be an ISO 8601 time (missing)'],
    ['network without interfaces', line({ type: 'network', time: TIME }), '"interfaces" must be a list of at most 32 objects (missing)'],
    ['network with too many interfaces', line({ type: 'network', interfaces: Array.from({ length: 33 }, (_, i) => ({ name: `n${i}` })), time: TIME }), '"interfaces" must be a list of at most 32 objects, not [{"name":"n0"},{"name":"n1"},{"name":"n2"},{"name":"n3"},{"name":"n4"},{"name":"'],
    ['network with an interface without name', line({ type: 'network', interfaces: [{ mac: 'x' }], time: TIME }), '"interfaces[0].name" must be a non-empty string (missing)'],
    ['network with a numeric address', line({ type: 'network', interfaces: [{ name: 'd', ipAddress: 7 }], time: TIME }), '"interfaces[0].ipAddress" must be a string when present, not 7'],
    ['network with addresses that are no strings', line({ type: 'network', interfaces: [{ name: 'd', ipAddresses: [1] }], time: TIME }), '"interfaces[0].ipAddresses" must be a list of at most 32 strings when present, not [1]'],
    ['agent without connected', line({ type: 'agent', interfaces: [], time: TIME }), '"connected" must be true or false (missing)'],
    ['agent with too many NICs', line({ type: 'agent', connected: true, interfaces: Array.from({ length: 33 }, (_, i) => ({ interfaceName: `e${i}` })), time: TIME }), '"interfaces" must be a list of at most 32 objects, not [{"interfaceName":"e0"},{"interfaceName":"e1"},{"interfaceName":"e2"},{"interfac'],
    ['agent with a NIC without name', line({ type: 'agent', connected: true, interfaces: [{ mac: 'x' }], time: TIME }), '"interfaces[0].interfaceName" must be a non-empty string (missing)'],
    ['agent with too many addresses', line({ type: 'agent', connected: true, interfaces: [{ interfaceName: 'e', ipAddresses: Array.from({ length: 17 }, () => '10.0.0.1') }], time: TIME }), '"interfaces[0].ipAddresses" must be a list of at most 16 strings when present, not ["10.0.0.1","10.0.0.1","10.0.0.1","10.0.0.1","10.0.0.1","10.0.0.1","10.0.0.1","1'],
    ['agent with an OS info that is a string', line({ type: 'agent', connected: true, interfaces: [], osInfo: 'debian', time: TIME }), '"osInfo" must be an object, not "debian"'],
    ['agent with a numeric OS id', line({ type: 'agent', connected: true, interfaces: [], osInfo: { id: 12 }, time: TIME }), '"osInfo.id" must be a string when present, not 12'],
    ['agent with a numeric host name', line({ type: 'agent', connected: true, interfaces: [], hostname: 1, time: TIME }), '"hostname" must be a string when present, not 1'],
    ['network with a queue count of 0', line({ type: 'network', interfaces: [{ name: 'd', queueCount: 0 }], time: TIME }), '"interfaces[0].queueCount" must be a positive integer when present, not 0'],
    ['reply without id', line({ type: 'reply', ok: true }), '"id" must be a string (missing)'],
    ['reply with ok as a string', line({ type: 'reply', id: 'c', ok: 'yes' }), '"ok" must be true or false, not "yes"'],
    ['reply with a numeric error', line({ type: 'reply', id: 'c', ok: false, error: 500 }), '"error" must be a string when present, not 500'],
  ])('%s', (_name, text, error) => {
    const parsed = parseLauncherEvent(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toBe(error.startsWith('launcher event') ? error : `launcher event: ${error}`);
  });

  it('names the id of a malformed reply, so its command can fail at once', () => {
    expect(parseLauncherEvent(line({ type: 'reply', id: 'c-9', ok: 'yes' }))).toMatchObject({ ok: false, id: 'c-9' });
    expect(parseLauncherEvent('not json')).not.toHaveProperty('id');
  });
});

describe('parseLauncherCommand', () => {
  it.each(['shutdown', 'destroy', 'pause', 'resume'] as const)('accepts %s', (command) => {
    expect(parseLauncherCommand(line({ id: 'x', command }))).toEqual({ ok: true, message: { id: 'x', command } });
  });

  it.each<[string, string, string, string | undefined]>([
    ['not JSON', 'not json', 'not a JSON object', undefined],
    ['a number', '42', 'not a JSON object', undefined],
    ['no id', line({ command: 'shutdown' }), '"id" must be a non-empty string (missing)', undefined],
    ['an empty id', line({ id: '', command: 'shutdown' }), '"id" must be a non-empty string, not ""', ''],
    ['a numeric id', line({ id: 1, command: 'shutdown' }), '"id" must be a non-empty string, not 1', undefined],
    ['an unknown command', line({ id: '3', command: 'reboot' }), '"command" must be one of shutdown, destroy, pause, resume, not "reboot"', '3'],
    ['no command', line({ id: '4' }), '"command" must be one of shutdown, destroy, pause, resume (missing)', '4'],
  ])('refuses %s', (_name, text, error, id) => {
    expect(parseLauncherCommand(text)).toEqual({ ok: false, error: `launcher command: ${error}`, ...(id === undefined ? {} : { id }) });
  });
});

describe('parseHandedOverVmi', () => {
  const vmi = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { namespace: 'default', name: 'a', uid: 'u-1' }, spec: { domain: { devices: {} } } };
  it('takes an admitted VMI as it is', () => {
    expect(parseHandedOverVmi(JSON.stringify(vmi))).toEqual({ ok: true, message: vmi });
  });
  it.each([
    ['not JSON', '{', 'vmi.json: not a JSON object'],
    ['an array', '[]', 'vmi.json: not a JSON object'],
    ['another kind', JSON.stringify({ ...vmi, kind: 'VirtualMachine' }), 'vmi.json: "kind" must be one of VirtualMachineInstance, not "VirtualMachine"'],
    ['another version', JSON.stringify({ ...vmi, apiVersion: 'kubevirt.io/v1alpha3' }), 'vmi.json: "apiVersion" must be one of kubevirt.io/v1, not "kubevirt.io/v1alpha3"'],
    ['no uid', JSON.stringify({ ...vmi, metadata: { namespace: 'default', name: 'a' } }), 'vmi.json: "metadata.uid" must be a non-empty string (missing)'],
    ['no metadata', JSON.stringify({ ...vmi, metadata: null }), 'vmi.json: "metadata" must be an object, not null'],
    ['no domain', JSON.stringify({ ...vmi, spec: {} }), 'vmi.json: "spec.domain" must be an object (missing)'],
  ])('refuses %s', (_, text, error) => {
    expect(parseHandedOverVmi(text)).toEqual({ ok: false, error });
  });
});
