/**
 * The machine type: one of the cluster's emulated-machine patterns (A11, shell globs as Go's
 * `filepath.Match` reads them) and made only of the characters libvirt's grammar allows (AX14).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateEmulatedMachine)
 * @see https://pkg.go.dev/path/filepath#Match
 */
import { DEFAULT_CLUSTER_CONFIG, type ClusterConfig } from '../../../core/cluster-config.js';
import { cause, CauseType, type Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { at, libvirtPatternCauses, type Spec } from './common.js';

/** KubeVirt's compiled-in patterns per architecture, used when the cluster sets none of its own (amd64's are the configuration's default). */
const ARCH_DEFAULT_MACHINES: Readonly<Record<string, readonly string[]>> = {
  amd64: DEFAULT_CLUSTER_CONFIG.emulatedMachines,
  arm64: ['virt*'],
  s390x: ['s390-ccw-virtio*'],
};

/** libvirt's machine-type pattern. */
const MACHINE = /^[a-zA-Z0-9_.-]+$/;

/** One character class body (`a-z`, `^0-9`) as a regex class, or undefined when malformed. */
function classToRegex(body: string): string | undefined {
  if (body === '' || body === '^') return undefined;
  const negated = body.startsWith('^');
  const items = (negated ? body.slice(1) : body).replace(/[\]\\[]/g, (c) => `\\${c}`);
  return `[${negated ? '^' : ''}${items}]`;
}

const escapeRegex = (c: string): string => c.replace(/[.*+?^${}()|[\]\\]/g, (x) => `\\${x}`);

/** A glob pattern as an anchored regex: `*` and `?` never match `/`; undefined when malformed. */
function globToRegex(pattern: string): RegExp | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') out += escapeRegex(pattern.charAt(++i));
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      const cls = end === -1 ? undefined : classToRegex(pattern.slice(i + 1, end));
      if (cls === undefined) return undefined;
      out += cls;
      i = end;
    } else out += escapeRegex(c);
  }
  try {
    return new RegExp(`^${out}$`, 'u');
  } catch {
    return undefined;
  }
}

/** Whether `name` matches the shell glob `pattern` (a malformed pattern matches nothing, as in KubeVirt). */
export function globMatch(pattern: string, name: string): boolean {
  return globToRegex(pattern)?.test(name) ?? false;
}

/**
 * The accepted patterns: the cluster's own `emulatedMachines` when it changed them, else KubeVirt's
 * per-architecture defaults (the amd64 ones for an architecture without defaults).
 */
function allowedMachines(spec: Spec, cfg: ClusterConfig): readonly string[] {
  const amd64 = ARCH_DEFAULT_MACHINES['amd64'] ?? [];
  const custom = cfg.emulatedMachines.join(',') !== amd64.join(',');
  if (custom) return cfg.emulatedMachines;
  return ARCH_DEFAULT_MACHINES[spec.architecture ?? ''] ?? amd64;
}

/** A11, AX14: the machine type is allowed by the cluster and spelt as libvirt accepts. */
export const validateMachineType: SpecValidator = (spec, path, ctx) => {
  const type = spec.domain.machine?.type;
  if (!type) return [];
  const field = at(path, 'domain.machine.type');
  const allowed = allowedMachines(spec, ctx.cfg);
  const out: Cause[] = [];
  if (!allowed.some((p) => globMatch(p, type))) {
    out.push(cause(CauseType.Invalid, field, `${field} ${JSON.stringify(type)} is not supported (allowed values: ${allowed.join(', ')})`));
  }
  out.push(...libvirtPatternCauses(field, type, MACHINE, 'letters, digits, "_", "." and "-" only'));
  return out;
};
