/** How the local kubelet runs a launcher pod's compute container: `kvt …` as our own CLI. Pure. */
import type { Container } from '../../reconcilers/pod.js';

/** The CLI arguments (after the entry script) of a compute container, or an error naming the field. */
export function launcherArgv(container: Readonly<Container>): { readonly argv: readonly string[] } | { readonly error: string } {
  const command = container.command ?? [];
  if (command[0] !== 'kvt') return { error: `spec.containers[${container.name}].command must start with "kvt", not ${JSON.stringify(command[0] ?? null)}` };
  return { argv: [...command.slice(1), ...(container.args ?? [])] };
}
