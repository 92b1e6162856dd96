/**
 * Who is asking, when the API server proxies a request to an aggregated API server: the API server
 * presents its front-proxy client certificate (signed by the request-header CA, with one of the
 * allowed common names) and names the user in headers (`X-Remote-User`, `X-Remote-Group`,
 * `X-Remote-Extra-<key>`). The CA, the names and the header names are published in the ConfigMap
 * `kube-system/extension-apiserver-authentication`. Pure: the ConfigMap's data and the request's
 * headers come in. The edge checks the certificate chain (TLS) before the names here count.
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/#kubernetes-apiserver-client-authentication
 */
import type { RequestUser } from '../context.js';

/** Where the API server publishes its front-proxy settings. */
export const FRONT_PROXY_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' } as const;

/** The front-proxy settings of one API server. */
export interface FrontProxyConfig {
  /** The request-header CA (PEM) the front-proxy client certificate chains to. */
  readonly clientCaPem: string;
  /** Common names the front-proxy certificate may have; empty means any the CA signed. */
  readonly allowedNames: readonly string[];
  /** Lower-cased header names, in the API server's order. */
  readonly usernameHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

function stringList(data: Readonly<Record<string, string>>, key: string): readonly string[] | string {
  const text = data[key];
  if (text === undefined || text === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return `${key} is not a JSON list`;
  }
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : `${key} is not a JSON list of strings`;
}

/** The settings in the ConfigMap's data, or why they cannot be used (no request-header CA: the API server runs without aggregation). */
export function parseFrontProxyConfig(data: Readonly<Record<string, string>> | undefined): FrontProxyConfig | string {
  const ca = data?.['requestheader-client-ca-file'];
  if (data === undefined || ca === undefined || !ca.includes('-----BEGIN CERTIFICATE-----')) {
    return `${FRONT_PROXY_CONFIGMAP.namespace}/${FRONT_PROXY_CONFIGMAP.name} has no requestheader-client-ca-file: the API server's aggregation layer is not configured`;
  }
  const lists = ['requestheader-allowed-names', 'requestheader-username-headers', 'requestheader-group-headers', 'requestheader-extra-headers-prefix'].map((k) => stringList(data, k));
  const problem = lists.find((l): l is string => typeof l === 'string');
  if (problem !== undefined) return problem;
  const [allowedNames, users, groups, extras] = lists as (readonly string[])[];
  const lower = (l: readonly string[] | undefined): string[] => (l ?? []).map((h) => h.toLowerCase());
  return { clientCaPem: ca, allowedNames: allowedNames ?? [], usernameHeaders: lower(users), groupHeaders: lower(groups), extraHeaderPrefixes: lower(extras) };
}

/** Whether a verified client certificate's common name may act as the front proxy. */
export function frontProxyNameAllowed(config: FrontProxyConfig, commonName: string | undefined): boolean {
  return config.allowedNames.length === 0 || (commonName !== undefined && config.allowedNames.includes(commonName));
}

/** A request's headers: lower-cased names, every value of a repeated header (node's `headersDistinct`). */
export type HeaderValues = Readonly<Record<string, readonly string[] | undefined>>;

function decodeExtraKey(text: string): string {
  try {
    return decodeURIComponent(text).toLowerCase();
  } catch {
    return text.toLowerCase();
  }
}

/**
 * The user the front proxy names: the first non-empty user header, every value of the group
 * headers, and the extras of the prefixed headers (keys URL-unescaped, lower-cased), as the API
 * server's request-header authenticator reads them; undefined when no user is named.
 */
export function frontProxyUser(config: FrontProxyConfig, headers: HeaderValues): RequestUser | undefined {
  const username = config.usernameHeaders.map((h) => headers[h]?.find((v) => v !== '')).find((v) => v !== undefined);
  if (username === undefined) return undefined;
  const groups = config.groupHeaders.flatMap((h) => headers[h] ?? []);
  const extra: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers)) {
    const prefix = config.extraHeaderPrefixes.find((p) => name.startsWith(p) && name.length > p.length);
    if (prefix === undefined || values === undefined) continue;
    const key = decodeExtraKey(name.slice(prefix.length));
    extra[key] = [...(extra[key] ?? []), ...values];
  }
  return { username, groups, ...(Object.keys(extra).length === 0 ? {} : { extra }) };
}
