import { parseArgs } from 'node:util';
import { KUBEVIRT_NAMESPACE } from '../../webhooks/validate/vmi-update-accounts.js';
import { WEBHOOK_ROUTES } from '../../webhooks/registry.js';
import type { WebhookRoute } from '../../webhooks/review-types.js';
import { runVirtApi, type VirtApiOptions } from '../../webhooks/runtime/main.js';
import { createLogger } from '../../core/log.js';
import { checkLogLevel, UsageError, type Command } from '../command.js';
import { stopSignal } from '../signals.js';

type CliOptions = Omit<VirtApiOptions, 'routes' | 'stopRequested' | 'subresourceApi'> & {
  readonly lookupsFromApi: boolean;
  readonly kubeconfig?: string;
  /** `--subresource-api`: where the handler client certificate is and where the handlers are. */
  readonly subresources?: { readonly handlerCertDir: string; readonly handlerNamespace: string; readonly handlerSelector: string };
};

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${JSON.stringify(text)}`);
  return port;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

function parseOptions(args: readonly string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      'tls-cert-file': { type: 'string' },
      'tls-key-file': { type: 'string' },
      address: { type: 'string', default: '0.0.0.0' },
      port: { type: 'string', default: '8443' },
      objects: { type: 'string' },
      'lookups-from-api': { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      'subresource-api': { type: 'boolean', default: false },
      'handler-certs': { type: 'string' },
      'handler-namespace': { type: 'string' },
      'handler-selector': { type: 'string', default: 'app.kubernetes.io/name=virt-handler' },
      'log-level': { type: 'string', default: 'info' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  checkLogLevel(values['log-level']);
  return {
    certFile: required(values['tls-cert-file'], '--tls-cert-file'),
    keyFile: required(values['tls-key-file'], '--tls-key-file'),
    address: values.address,
    port: parsePort(values.port),
    logLevel: values['log-level'],
    ...(values.objects === undefined ? {} : { objectsDir: values.objects }),
    lookupsFromApi: values['lookups-from-api'],
    ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
    ...(values['subresource-api'] ? {
      subresources: {
        handlerCertDir: required(values['handler-certs'], '--handler-certs (with --subresource-api)'),
        handlerNamespace: values['handler-namespace'] ?? process.env['POD_NAMESPACE'] ?? KUBEVIRT_NAMESPACE,
        handlerSelector: values['handler-selector'],
      },
    } : {}),
  };
}

/** `kvt virt-api` serving the given webhooks (tests pass their own; kvt passes the registry's). */
export function virtApiCommandFor(routes: readonly WebhookRoute[]): Command {
  return {
    name: 'virt-api',
    summary: 'Serve KubeVirt\'s admission webhooks over HTTPS (mutating and validating)',
    usage: [
      'kvt virt-api --tls-cert-file F --tls-key-file F [--address A] [--port 8443] [--objects DIR | --lookups-from-api]',
      '             [--subresource-api --handler-certs DIR] [--kubeconfig PATH] [--log-level L]',
      '',
      'Serves one POST path per KubeVirt webhook (/virtualmachineinstances-mutate, …), /healthz, /readyz',
      'and /metrics over HTTPS (TLS 1.2 or later). The certificate and key are re-read whenever their files',
      'change; a pair that does not load is logged and the previous one kept. /readyz answers 200 once the',
      'admission objects are loaded. On SIGTERM or SIGINT it stops accepting connections, finishes the',
      'requests in flight and exits 0. Logs are JSON lines on standard error.',
      'Exit status: 0 stopped cleanly, 1 could not start (certificate or address) or the command line is wrong.',
      '',
      'Options:',
      '  --tls-cert-file F   PEM serving certificate (chain)   (required)',
      '  --tls-key-file F    PEM private key of the certificate   (required)',
      '  --address A         address to listen on   [0.0.0.0]',
      '  --port N            port to listen on   [8443]',
      '  --objects DIR       manifests admission consults (presets, instancetypes, preferences, PVC,',
      '                      DataVolume and DataSource labels), re-read on change   [none]',
      '  --lookups-from-api  take those objects from the cluster instead (informers; in-cluster config,',
      '                      or --kubeconfig PATH)',
      '  --subresource-api   also serve subresources.kubevirt.io as an aggregated API server (start, stop,',
      '                      restart, pause, unpause, console): the API server\'s front proxy authenticated',
      '                      with kube-system/extension-apiserver-authentication, every call authorized by a',
      '                      SubjectAccessReview, pause/unpause/console relayed to the VMI node\'s virt-handler',
      '  --handler-certs DIR  client certificate for virt-handler (tls.crt, tls.key, ca.crt)',
      '  --kubeconfig PATH   the cluster of --lookups-from-api and --subresource-api   [in-cluster config]',
      '  --handler-namespace NS  namespace of the virt-handler pods   [$POD_NAMESPACE, else kubevirt]',
      '  --handler-selector S    label selector of the virt-handler pods   [app.kubernetes.io/name=virt-handler]',
      '  --log-level L       fatal, error, warn, info, debug, trace or silent   [info]',
    ].join('\n'),
    run: async (args) => {
      const { lookupsFromApi, kubeconfig, subresources, ...options } = parseOptions(args);
      if (!lookupsFromApi && subresources === undefined) return runVirtApi({ ...options, routes, stopRequested: stopSignal() });
      // client-node is imported on use: it takes about a second, which every other kvt command would pay.
      const { createKubeClient, loadKubeConfig } = await import('../../store/runtime/kube-client.js');
      const kube = createKubeClient(loadKubeConfig(kubeconfig === undefined ? {} : { kubeconfig }));
      const log = createLogger({ name: 'virt-api', level: options.logLevel ?? 'info' });
      const lookupsProvider = lookupsFromApi ? await (await import('../virt-api-lookups.js')).apiLookups(kube, log) : undefined;
      return runVirtApi({
        ...options, log, routes, stopRequested: stopSignal(),
        ...(lookupsProvider === undefined ? {} : { lookupsProvider }),
        ...(subresources === undefined ? {} : { subresourceApi: { kube, ...subresources } }),
      });
    },
  };
}

/** `kvt virt-api`: every KubeVirt webhook of the registry. */
export const virtApiCommand: Command = virtApiCommandFor(WEBHOOK_ROUTES);
