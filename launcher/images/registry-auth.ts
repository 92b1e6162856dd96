/**
 * Registry credentials and challenges, as pure parsing: a `WWW-Authenticate` challenge (Basic, or
 * Bearer with realm, service and scope: the distribution token protocol), and the credentials of
 * a registry host in a docker config (`~/.docker/config.json`, `$REGISTRY_AUTH_FILE`, or a
 * `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson`). Pure.
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#docker-config-secrets
 */
import { canonicalRegistryHost } from './registry-ref.js';

/** A registry's challenge. */
export type AuthChallenge =
  | { readonly scheme: 'basic'; readonly realm?: string }
  | { readonly scheme: 'bearer'; readonly realm: string; readonly service?: string; readonly scope?: string };

/** User and password (or an identity token as the password of `<token>`) for one registry. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** `key="quoted", key=bare` parameters of a challenge, keys lowercased. */
function challengeParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*,?\s*/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const quoted = m[2];
    params.set((m[1] ?? '').toLowerCase(), quoted === undefined ? (m[3] ?? '') : quoted.replace(/\\(.)/g, '$1'));
  }
  return params;
}

/** Parses `WWW-Authenticate`; undefined for a scheme the puller does not speak or a Bearer without realm. */
export function parseChallenge(header: string | null | undefined): AuthChallenge | undefined {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header ?? '');
  if (match === null) return undefined;
  const scheme = (match[1] ?? '').toLowerCase();
  const params = challengeParams(match[2] ?? '');
  const realm = params.get('realm');
  if (scheme === 'basic') return { scheme: 'basic', ...(realm === undefined ? {} : { realm }) };
  return scheme === 'bearer' && realm !== undefined && realm !== '' ? bearer(realm, params) : undefined;
}

function bearer(realm: string, params: ReadonlyMap<string, string>): AuthChallenge {
  const service = params.get('service');
  const scope = params.get('scope');
  return { scheme: 'bearer', realm, ...(service === undefined ? {} : { service }), ...(scope === undefined ? {} : { scope }) };
}

/** The host a docker config key names: `https://index.docker.io/v1/` → `docker.io`, `quay.io/x` → `quay.io`. */
export function configKeyHost(key: string): string {
  return canonicalRegistryHost(key.replace(/^[a-z]+:\/\//i, '').split('/')[0]?.toLowerCase() ?? '');
}

function decodeAuth(value: string): RegistryCredentials | undefined {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon <= 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The credentials a docker config (its JSON text) holds for `registry`; a config that is not JSON,
 * has no entry for the host, or whose entry carries no user is `undefined` (an anonymous pull).
 * Both the `{"auths": {…}}` form and the legacy bare map (`.dockercfg`) are read.
 */
export function credentialsFor(configJson: string, registry: string): RegistryCredentials | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(configJson);
  } catch {
    return undefined;
  }
  for (const [key, value] of Object.entries(authsOf(parsed))) {
    if (configKeyHost(key) !== registry.toLowerCase() || typeof value !== 'object' || value === null) continue;
    const creds = entryCredentials(value as Record<string, unknown>);
    if (creds !== undefined) return creds;
  }
  return undefined;
}

function authsOf(parsed: unknown): Record<string, unknown> {
  if (typeof parsed !== 'object' || parsed === null) return {};
  const root = parsed as Record<string, unknown>;
  return (typeof root['auths'] === 'object' && root['auths'] !== null ? root['auths'] : root) as Record<string, unknown>;
}

function entryCredentials(entry: Record<string, unknown>): RegistryCredentials | undefined {
  const auth = entry['auth'];
  const decoded = typeof auth === 'string' && auth !== '' ? decodeAuth(auth) : undefined;
  if (decoded !== undefined) return decoded;
  if (typeof entry['username'] === 'string' && typeof entry['password'] === 'string') return { username: entry['username'], password: entry['password'] };
  return typeof entry['identitytoken'] === 'string' ? { username: '<token>', password: entry['identitytoken'] } : undefined;
}

/** The token endpoint's URL for a Bearer challenge. */
export function tokenUrl(challenge: Extract<AuthChallenge, { scheme: 'bearer' }>, repository: string): string {
  const url = new URL(challenge.realm);
  if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', challenge.scope ?? `repository:${repository}:pull`);
  return url.toString();
}
