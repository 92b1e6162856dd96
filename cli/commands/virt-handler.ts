import { parseArgs } from 'node:util';
import type { Cache } from '../../core/cache.js';
import type { KubeApi } from '../../core/kube.js';
import { createLogger, type Logger } from '../../core/log.js';
import type { VirtualMachineInstance } from '../../crd-gen/index.js';
import { runDirFor, vmiIdentity } from '../../launcher/identity.js';
import { defaultRunRoot } from '../../launcher/runtime/launcher-dirs.js';
import { startVirtHandler } from '../../reconcilers/node-handler/runtime/start.js';
import type { ControllerDefinition } from '../../reconcilers/contract.js';
import { checkLogLevel, UsageError, type Command } from '../command.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VIRT_HANDLER_REST_PORT } from '../../core/virt-handler-endpoint.js';
import type { RestTls } from '../../reconcilers/node-handler/runtime/rest-server.js';

/** The REST endpoint's certificate, key and client CA from a mounted Secret's directory. */
async function readRestTls(dir: string): Promise<RestTls> {
  const [cert, key, ca] = await Promise.all(['tls.crt', 'tls.key', 'ca.crt'].map((f) => readFile(join(dir, f))));
  if (cert === undefined || key === undefined || ca === undefined) throw new Error(`${dir} must hold tls.crt, tls.key and ca.crt`);
  return { cert, key, ca };
}
import { stopSignal } from '../signals.js';

// A DNS-1123 subdomain, as Node names are.
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The parsed command line of `kvt virt-handler`. */
export interface VirtHandlerCliOptions {
  readonly nodeName: string;
  readonly kubeconfig?: string;
  readonly runRoot: string;
  readonly logLevel: string;
  /** `--rest-certs DIR` and `--rest-port N`: the REST endpoint virt-api calls. */
  readonly rest?: { readonly certDir: string; readonly port: number };
}

/** The REST endpoint of `--rest-certs` and `--rest-port`, or undefined without certificates. */
function parseRest(certDir: string | undefined, portText: string): VirtHandlerCliOptions['rest'] {
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new UsageError(`--rest-port must be a port number, not ${JSON.stringify(portText)}`);
  return certDir === undefined ? undefined : { certDir, port };
}

/** Parses `kvt virt-handler`'s arguments; a bad line is a UsageError naming the flag. */
export function parseVirtHandlerArgs(args: readonly string[], defaultRoot: string): VirtHandlerCliOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      'node-name': { type: 'string' },
      kubeconfig: { type: 'string' },
      'run-root': { type: 'string' },
      'rest-certs': { type: 'string' },
      'rest-port': { type: 'string', default: String(VIRT_HANDLER_REST_PORT) },
      'log-level': { type: 'string', default: 'info' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const node = values['node-name'];
  if (node === undefined || node === '') throw new UsageError('--node-name is required');
  if (node.length > 253 || !NODE_NAME.test(node)) throw new UsageError(`--node-name must be a DNS-1123 subdomain (a Node name), not ${JSON.stringify(node)}`);
  checkLogLevel(values['log-level']);
  const runRoot = values['run-root'] ?? defaultRoot;
  if (runRoot === '') throw new UsageError('--run-root must not be empty');
  const rest = parseRest(values['rest-certs'], values['rest-port']);
  return { nodeName: node, runRoot, logLevel: values['log-level'], ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }), ...(rest === undefined ? {} : { rest }) };
}

/** How `kvt virt-handler` reaches the API and runs controllers (the client-node adapter and the controller runtime). */
export interface VirtHandlerWiring {
  /** The API as virt-handler's service account, from a kubeconfig (or in-cluster when undefined). */
  readonly connect: (kubeconfig: string | undefined) => Promise<KubeApi>;
  /** An informer of the VMIs whose status.nodeName is `nodeName`. */
  readonly vmiInformer: (kube: KubeApi, nodeName: string) => Cache<VirtualMachineInstance> & { start(): Promise<void>; stop(): void };
  /** Runs a controller until stopped. */
  readonly run: (definition: ControllerDefinition, log: Logger) => { stop(): Promise<void> };
}

const USAGE = [
  'kvt virt-handler --node-name N [--kubeconfig PATH] [--run-root DIR] [--rest-certs DIR [--rest-port N]] [--log-level L]',
  '',
  'KubeVirt\'s node agent for node N: for every VMI whose status.nodeName is N it hands the VMI to its',
  'launcher (<run root>/<id>/vmi.json), follows the launcher over its socket and writes the VMI\'s',
  'Running / Succeeded / Failed phase and conditions; a deleted VMI gets an ACPI shutdown, destroyed',
  'after its grace period. After a restart it reconnects to every running launcher (nothing is started',
  'twice) and shuts down launchers whose VMI is gone. The Node N gets kubevirt.io/schedulable=true and',
  'a kubevirt.io/heartbeat refreshed every minute. SIGTERM or SIGINT stops the handler, never a guest.',
  'Exit status: 0 stopped cleanly, 1 could not start or the command line is wrong.',
  '',
  'Options:',
  '  --node-name N     the node this handler serves   (required)',
  '  --kubeconfig PATH  kubeconfig to use   [$KUBECONFIG, ~/.kube/config, in-cluster]',
  '  --run-root DIR    the launchers\' run root   [/run/kvt as root, else $XDG_RUNTIME_DIR/kvt]',
  '  --rest-certs DIR  serve the REST endpoint virt-api calls (pause, unpause, console) over mutual TLS:',
  '                    tls.crt, tls.key (its certificate) and ca.crt (the CA of virt-api\'s client certificate)',
  `  --rest-port N     the REST endpoint's port   [${VIRT_HANDLER_REST_PORT}]`,
  '  --log-level L     fatal, error, warn, info, debug, trace or silent   [info]',
].join('\n');

/** `kvt virt-handler` over the given API and controller wiring. */
export function virtHandlerCommandFor(wiring: VirtHandlerWiring): Command {
  return {
    name: 'virt-handler',
    summary: 'Run the node handler for one node (VMIs on the node ↔ their launchers)',
    usage: USAGE,
    run: async (args, io) => {
      const options = parseVirtHandlerArgs(args, defaultRunRoot(process.getuid?.() ?? 0, process.env));
      const log = createLogger({ name: 'virt-handler', level: options.logLevel });
      let handler;
      try {
        const kube = await wiring.connect(options.kubeconfig);
        const rest = options.rest === undefined ? undefined : { tls: await readRestTls(options.rest.certDir), port: options.rest.port };
        handler = await startVirtHandler({
          kube, nodeName: options.nodeName, runRoot: options.runRoot, log, ...(rest === undefined ? {} : { rest }),
          runDirOf: (vmi) => runDirFor(options.runRoot, vmiIdentity(vmi)),
          vmis: wiring.vmiInformer(kube, options.nodeName),
          run: (definition) => wiring.run(definition, log),
        });
      } catch (e) {
        io.err(`kvt virt-handler: could not start: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
      await stopSignal();
      log.info('Stopping virt-handler; guests keep running');
      await handler.stop();
      return 0;
    },
  };
}
