/**
 * `kvt virt-controller`: the VM, VMI and ReplicaSet controllers against a cluster's API server,
 * active only while holding the `virt-controller` Lease (KubeVirt runs two replicas, one leads).
 * @see https://kubevirt.io/user-guide/cluster_admin/installation/
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { KubeApi } from '../../core/kube.js';
import { createLogger, type Logger } from '../../core/log.js';
import { KUBEVIRT_NAMESPACE } from '../../webhooks/validate/vmi-update-accounts.js';
import { startVirtController } from '../../reconcilers/runtime/virt-controller.js';
import { runLeaderElection } from '../../reconcilers/runtime/leader.js';
import { checkLogLevel, UsageError, type Command } from '../command.js';
import { stopSignal } from '../signals.js';

/** The parsed command line of `kvt virt-controller`. */
export interface VirtControllerCliOptions {
  readonly kubeconfig?: string;
  readonly namespace: string;
  readonly leaderElect: boolean;
  readonly launcherImage: string;
  /** `--image-volumes`: launcher pods get their boot images as image volumes. */
  readonly imageVolumes: boolean;
  readonly logLevel: string;
}

/** Parses `kvt virt-controller`'s arguments; a bad line is a UsageError naming the flag. */
export function parseVirtControllerArgs(args: readonly string[]): VirtControllerCliOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', default: KUBEVIRT_NAMESPACE },
      'leader-elect': { type: 'string', default: 'true' },
      'launcher-image': { type: 'string', default: 'kvt:latest' },
      'image-volumes': { type: 'string', default: 'false' },
      'log-level': { type: 'string', default: 'info' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (!['true', 'false'].includes(values['leader-elect'])) throw new UsageError(`--leader-elect must be true or false, not ${JSON.stringify(values['leader-elect'])}`);
  checkLogLevel(values['log-level']);
  if (values.namespace === '') throw new UsageError('--namespace must not be empty');
  if (values['launcher-image'] === '') throw new UsageError('--launcher-image must not be empty');
  if (!['true', 'false'].includes(values['image-volumes'])) throw new UsageError(`--image-volumes must be true or false, not ${JSON.stringify(values['image-volumes'])}`);
  return {
    namespace: values.namespace,
    leaderElect: values['leader-elect'] === 'true',
    launcherImage: values['launcher-image'],
    imageVolumes: values['image-volumes'] === 'true',
    logLevel: values['log-level'],
    ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
  };
}

/** Runs the controllers until a stop signal, optionally only while leading; returns the exit code. */
export async function runVirtController(options: VirtControllerCliOptions, kube: KubeApi, log: Logger, stop: Promise<void>): Promise<number> {
  let running: Promise<{ stop(): Promise<void> }> | undefined;
  const start = (): void => {
    running = startVirtController({ kube, log, launcherImage: options.launcherImage, imageVolumes: options.imageVolumes });
    running.catch((err: unknown) => log.error({ err }, 'Could not start controllers'));
  };
  const stopControllers = async (): Promise<void> => (await running?.catch(() => undefined))?.stop();
  if (!options.leaderElect) {
    start();
    await stop;
    await stopControllers();
    return 0;
  }
  // The pod's name where it runs in one (the install passes it), so a Lease names its holder's pod.
  const identity = `${process.env['POD_NAME'] ?? hostname()}_${randomUUID()}`;
  let lost = false;
  const election = runLeaderElection({
    kube, log, identity, namespace: options.namespace, name: 'virt-controller', now: () => new Date(),
    onStartedLeading: start,
    onStoppedLeading: () => {
      lost = true;
    },
  });
  await Promise.race([stop, election.done]);
  await stopControllers();
  // Leadership lost without a stop signal: exit non-zero so the pod restarts, as client-go's users do.
  const code = lost ? 1 : 0;
  await election.stop();
  return code;
}

/** The `kvt virt-controller` command. */
export const virtControllerCommand: Command = {
  name: 'virt-controller',
  summary: 'run the VM, VMI and ReplicaSet controllers against a cluster (leader-elected)',
  usage: [
    'kvt virt-controller [--kubeconfig PATH] [--namespace kubevirt] [--leader-elect true|false] [--launcher-image IMAGE] [--image-volumes true|false] [--log-level info]',
    '',
    'Runs KubeVirt\'s VirtualMachine, VirtualMachineInstance and VirtualMachineInstanceReplicaSet',
    'controllers against a cluster until SIGTERM or SIGINT; with leader election only while it holds',
    'the Lease, exiting 1 when it loses it (so the pod restarts).',
    '',
    'Options:',
    '  --kubeconfig PATH         kubeconfig to use   [in-cluster config]',
    '  --namespace NS            the install\'s namespace (its Lease)   [kubevirt]',
    '  --leader-elect true|false  run only while holding the leader Lease   [true]',
    '  --launcher-image IMAGE    the image of launcher pods   [kvt:latest]',
    '  --image-volumes true|false  give launcher pods their boot images as image volumes   [false]',
    '  --log-level L             fatal, error, warn, info, debug, trace or silent   [info]',
  ].join('\n'),
  async run(args) {
    const options = parseVirtControllerArgs(args);
    const log = createLogger({ name: 'virt-controller', level: options.logLevel });
    // Loaded here, not at start-up: client-node takes about a second to import, which every other kvt command would pay.
    const { createKubeClient, loadKubeConfig } = await import('../../store/runtime/kube-client.js');
    const kube = createKubeClient(loadKubeConfig(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }));
    return runVirtController(options, kube, log, stopSignal());
  },
};
