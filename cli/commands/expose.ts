/**
 * `kvt expose vmi|vm|vmirs NAME --port P [--target-port T] --name SVC [--type …]` (as virtctl
 * expose): creates a Service selecting the launcher pods of what it exposes (cli/expose.ts). Against
 * a cluster (`--kubeconfig`) it is a normal Service; against the local kvt daemon the daemon serves
 * each Service port on 127.0.0.1 (local/runtime/service-ports.ts, see README).
 */
import { parseArgs } from 'node:util';
import type { KubeObject } from '../../core/kube.js';
import { Gvk } from '../../crd-gen/index.js';
import { UsageError, type Command, type CommandIo } from '../command.js';
import { exposedService, exposeKind, exposeSpec, serviceSelector, type ExposedObject } from '../expose.js';
import { apiErrorLine, TARGET_OPTIONS, TARGET_USAGE, withKube } from '../kube-target.js';

const GVK = { vmi: Gvk.VirtualMachineInstance, vm: Gvk.VirtualMachine, vmirs: Gvk.VirtualMachineInstanceReplicaSet } as const;
const WHAT = { vmi: 'VirtualMachineInstance', vm: 'VirtualMachine', vmirs: 'VirtualMachineInstance ReplicaSet' } as const;

async function expose(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      ...TARGET_OPTIONS,
      name: { type: 'string' }, port: { type: 'string' }, 'target-port': { type: 'string' }, 'node-port': { type: 'string' },
      protocol: { type: 'string' }, type: { type: 'string' }, 'port-name': { type: 'string' },
    },
    allowPositionals: true, strict: true,
  });
  const [typeWord, name, ...extra] = positionals;
  if (typeWord === undefined || name === undefined || extra.length > 0) throw new UsageError('give TYPE and NAME, e.g. `kvt expose vmi demo --port 8080 --name demo-http`');
  const kind = exposeKind(typeWord);
  const spec = exposeSpec(values);
  return withKube(values, async (kube, namespace) => {
    let object: ExposedObject;
    try {
      object = await kube.get<ExposedObject & KubeObject>(GVK[kind], namespace, name);
    } catch (e: unknown) {
      io.err(`error: error fetching ${WHAT[kind]}: ${apiErrorLine(e).replace(/^error: /, '')}\n`);
      return 1;
    }
    const service = exposedService(spec, namespace, serviceSelector(kind, name, object));
    try {
      await kube.create(service);
    } catch (e: unknown) {
      io.err(`error: service creation failed: ${apiErrorLine(e).replace(/^error: /, '')}\n`);
      return 1;
    }
    io.out(`Service ${spec.serviceName} successfully exposed for ${typeWord} ${name}\n`);
    return 0;
  });
}

/** `kvt expose`. */
export const exposeCommand: Command = {
  name: 'expose',
  summary: 'create a Service for a VMI, VM or VMI replica set (as virtctl expose)',
  usage: [
    'kvt expose vmi|vm|vmirs NAME --port P --name SVC [--target-port T] [--type ClusterIP|NodePort|LoadBalancer]',
    '',
    'Creates Service SVC selecting the launcher pods of NAME (a VMI\'s labels without',
    'kubevirt.io/nodeName, a VM\'s template labels, a replica set\'s matchLabels), port P to T. In a',
    'cluster (--kubeconfig) it is a normal Service. With the local kvt daemon, the daemon serves each',
    'Service port on 127.0.0.1 (the nodePort when there is one, else a free port, written to the',
    'Service\'s annotation kvt.kubevirt.io/host-ports) and forwards it to a selected pod\'s IP.',
    '',
    'Options:',
    '  --name SVC                the Service\'s name (required)',
    '  --port P                  the Service\'s port (required)',
    '  --target-port T           the VMI\'s port, a number or a port name   [P]',
    '  --type TYPE               ClusterIP, NodePort or LoadBalancer   [ClusterIP]',
    '  --node-port N             the node port (NodePort, LoadBalancer)',
    '  --protocol PROTO          TCP or UDP   [TCP]',
    '  --port-name NAME          the port\'s name',
    ...TARGET_USAGE,
  ].join('\n'),
  run: expose,
};
