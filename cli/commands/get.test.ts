// kvt get and kvt describe as a user runs them, against a real daemon socket serving the in-memory
// store: what each flag prints and its exit code. Objects were created an hour ago (the store's
// clock), so every AGE reads 60m.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../core/kube.js';
import { ExternalGvk, type VirtualMachine, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { serveApiSocket, type ApiSocketServer } from '../../local/runtime/api-server.js';
import { createMemoryStore, type MemoryStore } from '../../store/runtime/memory.js';
import { runKvt } from '../kvt.js';

let dir = '';
let store: MemoryStore;
let server: ApiSocketServer;
const VM_TYPE = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' };
const HOUR_AGO = (): Date => new Date(Date.now() - 3_600_000);
const stamp = (secondsAgo: number): string => new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

const vm = (name: string, namespace: string, labels: Record<string, string>): VirtualMachine => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace, labels },
  spec: { runStrategy: 'Always', template: { spec: { domain: { devices: {}, resources: { requests: { memory: '64Mi' } } } } } },
});

async function withStatus<T extends KubeObject>(object: T, status: unknown): Promise<T> {
  const created = await store.create<T>(object);
  uids.set(`${created.kind}/${created.metadata.name ?? ''}`, created.metadata.uid ?? '');
  return store.updateStatus<T>({ ...created, status } as T);
}

const uids = new Map<string, string>();

function event(name: string, kind: string, involved: string, reason: string, lastSecondsAgo: number, count = 1): KubeObject {
  const apiVersion = kind === 'Pod' ? 'v1' : 'kubevirt.io/v1';
  const uid = uids.get(`${kind}/${involved}`);
  return {
    ...ExternalGvk.Event, metadata: { name, namespace: 'default' },
    involvedObject: { apiVersion, kind, namespace: 'default', name: involved, ...(uid === undefined ? {} : { uid }) }, reason, message: `${reason} ${involved}`, type: reason === 'Failed' ? 'Warning' : 'Normal',
    source: { component: kind === 'VirtualMachine' ? 'virtualmachine-controller' : 'virt-handler' }, count,
    firstTimestamp: stamp(lastSecondsAgo + 240 * (count - 1)), lastTimestamp: stamp(lastSecondsAgo),
  } as KubeObject;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvt-get-'));
  store = createMemoryStore({ admission: false, now: HOUR_AGO });
  server = await serveApiSocket(join(dir, 'kvt.sock'), store);
  const web = await withStatus(vm('web', 'default', { app: 'web', tier: 'front' }), { printableStatus: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
  await withStatus(vm('db', 'default', { app: 'db' }), { printableStatus: 'Stopped' });
  await withStatus(vm('other', 'prod', { app: 'web' }), { printableStatus: 'Stopped' });
  const vmi: VirtualMachineInstance = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec: { domain: { devices: {} } } };
  await withStatus(vmi, { phase: 'Running', nodeName: 'local', interfaces: [{ ipAddress: '10.0.2.15' }], conditions: [{ type: 'Ready', status: 'True' }] });
  await withStatus({ ...ExternalGvk.Pod, metadata: { name: 'virt-launcher-web-x7k2p', namespace: 'default' }, spec: { nodeName: 'local', containers: [{ name: 'compute' }] } } as KubeObject, {
    phase: 'Running', podIP: '10.88.0.4', containerStatuses: [{ name: 'compute', ready: true, restartCount: 0, state: { running: { startedAt: stamp(3500) } } }],
  });
  await withStatus({ ...ExternalGvk.Node, metadata: { name: 'local', labels: { 'node-role.kubernetes.io/control-plane': '' } } } as KubeObject, {
    conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.30.0-kvt' }, addresses: [{ type: 'InternalIP', address: '192.0.2.1' }],
  });
  // Ages of ten minutes or more print in whole minutes: they read the same for a minute.
  await store.create(event('web.1', 'VirtualMachine', 'web', 'SuccessfulCreate', 40 * 60));
  await store.create(event('web.2', 'VirtualMachineInstance', 'web', 'Started', 15 * 60, 3));
  await store.create(event('web.3', 'VirtualMachine', 'web', 'Failed', 20 * 60));
  await store.create(event('pod.1', 'Pod', 'virt-launcher-web-x7k2p', 'Scheduled', 50 * 60));
  expect(web.metadata.name).toBe('web');
});

afterAll(async () => {
  await server.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function kvt(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runKvt([...args, '--socket', server.path], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('kvt get: tables', () => {
  it('lists a kind with its CRD columns, sorted by name; a name gets one row', async () => {
    expect(await kvt('get', 'vms')).toEqual({ code: 0, err: '', out: lines('NAME   AGE   STATUS    READY', 'db     60m   Stopped', 'web    60m   Running   True') });
    expect((await kvt('get', 'vm', 'web')).out).toBe(lines('NAME   AGE   STATUS    READY', 'web    60m   Running   True'));
  });

  it('shows a VMI\'s IP, node and Ready condition', async () => {
    expect((await kvt('get', 'vmi')).out).toBe(lines('NAME   AGE   PHASE     IP          NODENAME   READY', 'web    60m   Running   10.0.2.15   local      True'));
  });

  it('prints pods and nodes with kubectl\'s columns', async () => {
    expect((await kvt('get', 'pods')).out).toBe(lines('NAME                      READY   STATUS    RESTARTS   AGE', 'virt-launcher-web-x7k2p   1/1     Running   0          60m'));
    expect((await kvt('get', 'po', '-o', 'wide')).out).toBe(lines(
      'NAME                      READY   STATUS    RESTARTS   AGE   IP          NODE    NOMINATED NODE   READINESS GATES',
      'virt-launcher-web-x7k2p   1/1     Running   0          60m   10.88.0.4   local   <none>           <none>',
    ));
    expect((await kvt('get', 'nodes')).out).toBe(lines('NAME    STATUS   ROLES           AGE   VERSION', 'local   Ready    control-plane   60m   v1.30.0-kvt'));
  });

  it('takes full names, TYPE/NAME and TYPE1,TYPE2, naming each object by kind when several types print', async () => {
    for (const word of ['virtualmachines.kubevirt.io', 'vm.kubevirt.io', 'VirtualMachine']) expect((await kvt('get', word, 'db')).out).toContain('\ndb ');
    expect((await kvt('get', 'vm/web', 'vmi/web')).out).toBe(lines(
      'NAME                             AGE   STATUS    READY',
      'virtualmachine.kubevirt.io/web   60m   Running   True',
      '',
      'NAME                                     AGE   PHASE     IP          NODENAME   READY',
      'virtualmachineinstance.kubevirt.io/web   60m   Running   10.0.2.15   local      True',
    ));
    const both = await kvt('get', 'vm,vmi');
    expect(both.out.split('\n\n').map((t) => t.split('\n')[1]?.split(' ')[0])).toEqual(['virtualmachine.kubevirt.io/db', 'virtualmachineinstance.kubevirt.io/web']);
  });

  it('kvt get all prints pods and KubeVirt\'s kinds, grouped, with kind prefixes', async () => {
    const r = await kvt('get', 'all');
    expect(r.code).toBe(0);
    expect(r.out.split('\n\n').map((t) => t.split('\n')[1]?.split(' ')[0])).toEqual(['pod/virt-launcher-web-x7k2p', 'virtualmachine.kubevirt.io/db', 'virtualmachineinstance.kubevirt.io/web']);
    expect(r.out.split('\n\n')[0]?.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  });

  it('-A adds a NAMESPACE column; -n picks a namespace; an empty one says so', async () => {
    expect((await kvt('get', 'vms', '-A')).out).toBe(lines('NAMESPACE   NAME    AGE   STATUS    READY', 'default     db      60m   Stopped', 'default     web     60m   Running   True', 'prod        other   60m   Stopped'));
    expect((await kvt('get', 'vms', '-n', 'prod', '--no-headers')).out).toBe(lines('other   60m   Stopped'));
    expect(await kvt('get', 'vms', '-n', 'empty')).toEqual({ code: 0, out: '', err: 'No resources found in empty namespace.\n' });
  });

  it('--show-labels, -L and --show-kind add columns as kubectl does', async () => {
    expect((await kvt('get', 'vms', '--show-labels')).out).toBe(lines('NAME   AGE   STATUS    READY   LABELS', 'db     60m   Stopped           app=db', 'web    60m   Running   True    app=web,tier=front'));
    expect((await kvt('get', 'vms', '-L', 'app,tier', '-L', 'none')).out).toBe(lines('NAME   AGE   STATUS    READY   APP   TIER    NONE', 'db     60m   Stopped           db', 'web    60m   Running   True    web   front'));
    expect((await kvt('get', 'vm', 'db', '--show-kind', '--no-headers')).out).toBe(lines('virtualmachine.kubevirt.io/db   60m   Stopped'));
  });

  it('refuses an unknown type, and no type, in kubectl\'s words', async () => {
    expect(await kvt('get', 'frobs')).toEqual({ code: 1, out: '', err: 'error: the server doesn\'t have a resource type "frobs"\n' });
    expect(await kvt('get', 'vm', 'vmi/web')).toMatchObject({ code: 1, err: expect.stringMatching(/^error: there is no need to specify a resource type as a separate argument/) });
    const none = await kvt('get');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^You must specify the type of resource to get\. Use "kvt api-resources" for a complete list of supported resources\.\n\nerror: Required resource not specified\.\n/);
  });

  it('says which names are not found, prints the rest, exits 1 (0 with --ignore-not-found)', async () => {
    expect(await kvt('get', 'vm', 'nope')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): virtualmachines.kubevirt.io "nope" not found\n' });
    const some = await kvt('get', 'vm', 'web', 'nope', '-o', 'name');
    expect(some).toEqual({ code: 1, out: 'virtualmachine.kubevirt.io/web\n', err: 'Error from server (NotFound): virtualmachines.kubevirt.io "nope" not found\n' });
    expect(await kvt('get', 'vm', 'nope', '--ignore-not-found')).toEqual({ code: 0, out: '', err: '' });
  });
});

describe('kvt get: selectors', () => {
  it.each([
    ['app=web', ['web']],
    ['app==db', ['db']],
    ['app!=web', ['db']],
    ['app in (web,db)', ['db', 'web']],
    ['app notin (web)', ['db']],
    ['tier', ['web']],
    ['!tier', ['db']],
    ['app=web,tier=front', ['web']],
  ])('-l %s', async (selector, names) => {
    expect((await kvt('get', 'vms', '-l', selector, '-o', 'name')).out).toBe(names.map((n) => `virtualmachine.kubevirt.io/${n}\n`).join(''));
  });

  it('refuses a malformed label selector with the API server\'s words', async () => {
    const r = await kvt('get', 'vms', '--selector', 'app in web');
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error from server (BadRequest): Unable to find "kubevirt.io/v1, Resource=virtualmachines" that match label selector "app in web", field selector "": unable to parse requirement: "app in web": expected "(" after in/notin\n');
  });

  it.each([
    ['vms', 'metadata.name=db', ['virtualmachine.kubevirt.io/db']],
    ['vms', 'metadata.name!=db', ['virtualmachine.kubevirt.io/web']],
    ['vms', 'metadata.namespace=default', ['virtualmachine.kubevirt.io/db', 'virtualmachine.kubevirt.io/web']],
    ['vmis', 'status.phase=Running', ['virtualmachineinstance.kubevirt.io/web']],
    ['pods', 'status.phase==Running', ['pod/virt-launcher-web-x7k2p']],
    ['pods', 'status.phase=Pending', []],
  ])('get %s --field-selector %s', async (type, selector, names) => {
    expect((await kvt('get', type, '--field-selector', selector, '-o', 'name')).out).toBe(names.map((n) => `${n}\n`).join(''));
  });

  it('refuses other fields as kubectl reports the API server\'s refusal', async () => {
    expect(await kvt('get', 'vms', '--field-selector', 'status.phase=Running')).toEqual({
      code: 1, out: '',
      err: 'Error from server (BadRequest): Unable to find "kubevirt.io/v1, Resource=virtualmachines" that match label selector "", field selector "status.phase=Running": field label not supported: status.phase\n',
    });
    expect((await kvt('get', 'pods', '--field-selector', 'spec.bogus=x')).err).toBe(
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.bogus=x": field label not supported: spec.bogus\n',
    );
  });

  it('refuses a name with a selector, and a name across all namespaces, as kubectl does', async () => {
    expect(await kvt('get', 'vm', 'web', '-l', 'app=web')).toEqual({ code: 1, out: '', err: 'error: name cannot be provided when a selector is specified\n' });
    expect(await kvt('get', 'vm', 'web', '-A')).toEqual({ code: 1, out: '', err: 'error: a resource cannot be retrieved by name across all namespaces\n' });
  });
});

describe('kvt get: output formats', () => {
  it('-o jsonpath evaluates over the object, or the List of several', async () => {
    expect((await kvt('get', 'vms', '-o', 'jsonpath={.items[*].metadata.name}')).out).toBe('db web');
    expect((await kvt('get', 'vm', 'web', '-o', 'jsonpath={.status.printableStatus}')).out).toBe('Running');
    expect((await kvt('get', 'vm', 'web', '-o=jsonpath={.metadata.labels.app}')).out).toBe('web');
    expect((await kvt('get', 'vms', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.printableStatus}{"\\n"}{end}')).out).toBe('db=Stopped\nweb=Running\n');
    expect((await kvt('get', 'vmi', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')).out).toBe('True');
    expect((await kvt('get', 'vms', '-o', 'jsonpath={.kind}')).out).toBe('List');
  });

  it('-o jsonpath refuses a bad template and reports one that fails on the data, exit 1 both', async () => {
    const bad = await kvt('get', 'vms', '-o', 'jsonpath={.items[}');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error: error parsing jsonpath {.items[}, unclosed array expect ]\n');
    expect(await kvt('get', 'vms', '-o', 'jsonpath={.items[5]}')).toEqual({ code: 1, out: '', err: 'error: error executing jsonpath "{.items[5]}": Error executing template: array index out of bounds: index 5, length 2\n' });
  });

  it('-o custom-columns prints the given headers and paths, <none> where nothing is found', async () => {
    expect((await kvt('get', 'vms', '-o', 'custom-columns=NAME:.metadata.name,APP:.metadata.labels.app,TIER:metadata.labels.tier,READY:{.status.conditions[0].status}')).out).toBe(
      lines('NAME   APP   TIER     READY', 'db     db    <none>   <none>', 'web    web   front    True'),
    );
    expect((await kvt('get', 'vms', '--no-headers', '-o', 'custom-columns=N:.metadata.name')).out).toBe(lines('db', 'web'));
    expect((await kvt('get', 'vms', '-o', 'custom-columns=NAME')).code).toBe(1);
  });

  it('--sort-by orders by a JSONPath, missing values first; a path found nowhere is refused', async () => {
    expect((await kvt('get', 'vms', '--sort-by', '.status.printableStatus', '-o', 'name')).out).toBe('virtualmachine.kubevirt.io/web\nvirtualmachine.kubevirt.io/db\n');
    expect((await kvt('get', 'vms', '--sort-by', '{.metadata.labels.tier}', '-o', 'name')).out).toBe('virtualmachine.kubevirt.io/db\nvirtualmachine.kubevirt.io/web\n');
    expect(await kvt('get', 'vms', '--sort-by', '.spec.nothing')).toEqual({ code: 1, out: '', err: 'error: couldn\'t find any field with path "{.spec.nothing}" in the list of objects\n' });
  });

  it('-o json and -o yaml print one object as itself, several as a List, keys sorted', async () => {
    const one = await kvt('get', 'vm', 'web', '-o', 'json');
    expect(one.out).toMatch(/^\{\n {4}"apiVersion": "kubevirt.io\/v1",\n {4}"kind": "VirtualMachine",\n {4}"metadata": \{\n/);
    const list = JSON.parse((await kvt('get', 'vm', 'web', 'db', '-o', 'json')).out) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.name)).toEqual(['web', 'db']);
    const yaml = parse((await kvt('get', 'vms', '-o', 'yaml')).out) as { kind: string; items: { kind: string }[] };
    expect(yaml).toMatchObject({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
    expect(yaml.items.map((i) => i.kind)).toEqual(['VirtualMachine', 'VirtualMachine']);
    expect((await kvt('get', 'vms', '-n', 'empty', '-o', 'json')).out).toBe('{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
  });

  it('refuses an unknown format with kubectl\'s list of formats', async () => {
    const r = await kvt('get', 'vms', '-o', 'xml');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: unable to match a printer suitable for the output format "xml", allowed formats are: custom-columns,/);
  });
});

describe('kvt get events', () => {
  it('prints LAST SEEN TYPE REASON OBJECT MESSAGE, oldest last occurrence first', async () => {
    expect((await kvt('get', 'events')).out).toBe(lines(
      'LAST SEEN   TYPE      REASON             OBJECT                        MESSAGE',
      '50m         Normal    Scheduled          pod/virt-launcher-web-x7k2p   Scheduled virt-launcher-web-x7k2p',
      '40m         Normal    SuccessfulCreate   virtualmachine/web            SuccessfulCreate web',
      '20m         Warning   Failed             virtualmachine/web            Failed web',
      '15m         Normal    Started            virtualmachineinstance/web    Started web',
    ));
  });

  it('--for TYPE/NAME keeps the Events of that object', async () => {
    expect((await kvt('get', 'ev', '--for', 'vm/web', '-o', 'custom-columns=REASON:.reason')).out).toBe(lines('REASON', 'SuccessfulCreate', 'Failed'));
    expect((await kvt('get', 'events', '--for', 'vmi/web', '-o', 'jsonpath={.items[*].count}')).out).toBe('3');
    expect((await kvt('get', 'events', '--for', 'vm/none')).err).toBe('No resources found in default namespace.\n');
    expect((await kvt('get', 'events', '--for', 'vm')).code).toBe(1);
    expect((await kvt('get', 'vms', '--for', 'vm/web')).code).toBe(1);
  });
});

describe('kvt describe', () => {
  it('lists the object\'s Events oldest first, a repeated one with its count', async () => {
    const r = await kvt('describe', 'vmi', 'web');
    expect(r.code).toBe(0);
    expect(r.out.slice(r.out.indexOf('Events:'))).toBe(lines(
      'Events:',
      '  Type    Reason   Age                From          Message',
      '  ----    ------   ----               ----          -------',
      '  Normal  Started  15m (x3 over 23m)  virt-handler  Started web',
    ));
  });
});

/** Runs `kvt get … -w` until `stop` is aborted, with what it printed so far readable meanwhile. */
function watching(...args: string[]): { output: () => string; stop: () => Promise<Run> } {
  const controller = new AbortController();
  let out = '';
  let err = '';
  const code = runKvt([...args, '--socket', server.path], { out: (t) => { out += t; }, err: (t) => { err += t; }, signal: controller.signal });
  return {
    output: () => out,
    stop: async () => {
      controller.abort();
      return { code: await code, out, err };
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('kvt get --watch', () => {
  it('prints the list, then one row per change, aligned under the header, until interrupted', async () => {
    const w = watching('get', 'vms', '-w', '-l', 'app');
    await until(() => w.output().split('\n').length === 4);
    const setStatus = async (printableStatus: string): Promise<void> => {
      const db = await store.get<VirtualMachine>(VM_TYPE, 'default', 'db');
      await store.updateStatus<VirtualMachine>({ ...db, status: { printableStatus } });
    };
    await setStatus('Starting');
    await until(() => w.output().includes('Starting'));
    await setStatus('Stopped');
    await until(() => w.output().split('\n').length === 6);
    expect(await w.stop()).toEqual({
      code: 0, err: '',
      out: lines('NAME   AGE   STATUS    READY', 'db     60m   Stopped', 'web    60m   Running   True', 'db     60m   Starting', 'db     60m   Stopped'),
    });
  });

  it('--watch-only prints only the changes, the header with the first; --output-watch-events names each change', async () => {
    const w = watching('get', 'vm', '--watch-only', '--output-watch-events');
    await new Promise((r) => setTimeout(r, 50));
    expect(w.output()).toBe('');
    await store.create(vm('tmp', 'default', { app: 'tmp' }));
    await until(() => w.output().includes('ADDED'));
    await store.delete(VM_TYPE, 'default', 'tmp');
    await until(() => w.output().includes('DELETED'));
    const r = await w.stop();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^EVENT\s+NAME\s+AGE\s+STATUS\s+READY\nADDED\s+tmp\s+60m\n(MODIFIED\s+tmp\s+60m\n)*DELETED\s+tmp\s+60m\n$/);
  });

  it('watches one named object, as YAML documents or names', async () => {
    const y = watching('get', 'vm', 'web', '-w', '-o', 'yaml');
    await until(() => documents(y.output()).length === 1);
    const web = await store.get<VirtualMachine>(VM_TYPE, 'default', 'web');
    await store.update<VirtualMachine>({ ...web, metadata: { ...web.metadata, labels: { ...web.metadata.labels, watched: 'yes' } } });
    // A change to another VM is not printed.
    const db = await store.get<VirtualMachine>(VM_TYPE, 'default', 'db');
    await store.update<VirtualMachine>({ ...db, metadata: { ...db.metadata, labels: { ...db.metadata.labels, watched: 'no' } } });
    await until(() => documents(y.output()).length === 2);
    const r = await y.stop();
    expect(documents(r.out).map((d) => `${d.metadata.name}:${d.metadata.labels?.['watched'] ?? ''}`)).toEqual(['web:', 'web:yes']);
    expect(r.out).toContain('\n---\n');
    const n = watching('get', 'vm', 'db', '-w', '-o', 'name');
    await until(() => n.output() !== '');
    expect(await n.stop()).toEqual({ code: 0, out: 'virtualmachine.kubevirt.io/db\n', err: '' });
  });

  it('refuses to watch several types, and a missing object is NotFound', async () => {
    const r = await kvt('get', 'vm,vmi', '-w');
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: watch is only supported on individual resources and resource collections, but 2 resources were found\n');
    expect(await kvt('get', 'vm', 'nope', '-w')).toEqual({ code: 1, out: '', err: 'Error from server (NotFound): virtualmachines.kubevirt.io "nope" not found\n' });
  });

  it('watches Events for one object with --for', async () => {
    const w = watching('get', 'events', '--for', 'vm/db', '-w', '-o', 'custom-columns=REASON:.reason,COUNT:.count');
    await new Promise((r) => setTimeout(r, 50));
    await store.create(event('web.9', 'VirtualMachine', 'web', 'Ignored', 1));
    await store.create(event('db.1', 'VirtualMachine', 'db', 'Stopped', 1));
    await until(() => w.output().includes('Stopped'));
    const r = await w.stop();
    expect(r.out).toBe(lines('REASON    COUNT', 'Stopped   1'));
  });
});

function documents(text: string): KubeObject[] {
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject | null).filter((d): d is KubeObject => d !== null);
}
