/**
 * Keeps virt-api's copy of the API server's front-proxy settings (the ConfigMap
 * `kube-system/extension-apiserver-authentication`, readable through the Role
 * `extension-apiserver-authentication-reader`): read at start and re-read on a period, so a rotated
 * request-header CA takes effect without a restart. Until a usable copy is read the aggregated API
 * answers 503; a copy that stops being usable keeps the last good one (and says so in the log).
 */
import type { KubeApi, KubeObject } from '../../core/kube.js';
import type { Logger } from '../../core/log.js';
import { ExternalGvk } from '../../crd-gen/index.js';
import { FRONT_PROXY_CONFIGMAP, parseFrontProxyConfig, type FrontProxyConfig } from '../subresources/front-proxy.js';

/** Options of {@link watchFrontProxyConfig}. */
export interface FrontProxyWatchOptions {
  readonly kube: KubeApi;
  readonly log: Logger;
  /** Called with every new usable copy (the server takes its CA into use). */
  readonly onChange: (config: FrontProxyConfig) => void;
  /** @default 60000 */
  readonly intervalMs?: number;
}

/** The watch: the current copy, and its stop. */
export interface FrontProxyWatch {
  current(): FrontProxyConfig | undefined;
  /** Resolves after the first read (whatever it found). */
  readonly firstRead: Promise<void>;
  stop(): void;
}

/** Starts reading the settings. */
export function watchFrontProxyConfig(options: FrontProxyWatchOptions): FrontProxyWatch {
  let current: FrontProxyConfig | undefined;
  let seen = '';
  const read = async (): Promise<void> => {
    let data: Record<string, string> | undefined;
    try {
      const map = await options.kube.get<KubeObject & { data?: Record<string, string> }>(ExternalGvk.ConfigMap, FRONT_PROXY_CONFIGMAP.namespace, FRONT_PROXY_CONFIGMAP.name);
      data = map.data;
    } catch (err: unknown) {
      options.log.warn({ err, ...FRONT_PROXY_CONFIGMAP }, 'Could not read the API server\'s front-proxy settings');
      return;
    }
    const text = JSON.stringify(data ?? {});
    if (text === seen) return;
    seen = text;
    const parsed = parseFrontProxyConfig(data);
    if (typeof parsed === 'string') {
      options.log.error({ ...FRONT_PROXY_CONFIGMAP, problem: parsed }, current === undefined ? 'Could not use the API server\'s front-proxy settings' : 'Could not use the changed front-proxy settings; kept the previous ones');
      return;
    }
    current = parsed;
    options.onChange(parsed);
    options.log.info({ allowedNames: parsed.allowedNames }, 'Loaded the API server\'s front-proxy settings');
  };
  const firstRead = read();
  const timer = setInterval(() => void read(), options.intervalMs ?? 60_000);
  timer.unref();
  return { current: () => current, firstRead, stop: () => clearInterval(timer) };
}
