/**
 * The image reference grammar of github.com/distribution/reference, which docker, CRI-O and the
 * kubevirt-ts image store all use: `[host[:port]/]path[:tag][@digest]`, lowercase path components.
 * The image store refuses any other reference when the launcher resolves it, so admission refuses
 * it first, on the field that holds it.
 * @see https://github.com/distribution/reference/blob/main/reference.go
 */

const HOST_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^${HOST_PART}(?:\\.${HOST_PART})*(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const MAX_NAME = 255;

interface Parts {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

function split(ref: string): Parts {
  const at = ref.indexOf('@');
  const rest = at === -1 ? ref : ref.slice(0, at);
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const colon = rest.lastIndexOf(':');
  if (colon <= rest.lastIndexOf('/')) return { name: rest, digest };
  return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
}

/** Whether the first of several components names a registry host, as docker decides it. */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component !== component.toLowerCase();
}

function nameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME) return `the repository name is longer than ${MAX_NAME} characters`;
  const components = name.split('/');
  const first = components[0] ?? '';
  const hasHost = components.length > 1 && looksLikeHost(first);
  if (hasHost && !HOST.test(first)) return `${JSON.stringify(first)} is not a valid registry host`;
  const bad = (hasHost ? components.slice(1) : components).find((c) => !PATH_COMPONENT.test(c));
  if (bad === undefined) return undefined;
  return bad === '' ? 'a name component is empty' : `the name component ${JSON.stringify(bad)} must be lowercase letters and digits, separated by ".", "_", "__" or "-"`;
}

/** Why `ref` is not a usable image reference, or undefined when it is one. */
export function imageRefProblem(ref: string): string | undefined {
  if (ref === '') return 'is empty';
  const { name, tag, digest } = split(ref);
  const problem = nameProblem(name);
  if (problem !== undefined) return problem;
  if (tag !== undefined && !TAG.test(tag)) return `the tag ${JSON.stringify(tag)} must be letters, digits, "_", "." or "-" (at most 128, not starting with "." or "-")`;
  if (digest !== undefined && !DIGEST.test(digest)) return `the digest ${JSON.stringify(digest)} must look like sha256:<hex digits>`;
  return undefined;
}
