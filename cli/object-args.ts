/**
 * The objects a kubectl-like command names on its command line: `KIND NAME...` or `KIND/NAME...`
 * (`vm demo`, `vmi/demo pod/virt-launcher-demo-x`), each resolved to an API type. Pure.
 */
import { UsageError } from './command.js';
import { resolveResource, unknownResource, type Resource } from './resources.js';

/** One named object. */
export interface ObjectRef {
  readonly resource: Resource;
  readonly name: string;
}

function resourceOf(word: string): Resource {
  const resource = resolveResource(word);
  if (resource === undefined) throw new UsageError(unknownResource(word).replace(/^error: /, ''));
  return resource;
}

/** The objects of `KIND NAME...` or `KIND/NAME...`; a UsageError names what is wrong. */
export function parseObjectArgs(words: readonly string[]): ObjectRef[] {
  const [first, ...rest] = words;
  if (first === undefined) throw new UsageError('name a resource type and a name, e.g. `vm demo` or `vm/demo`');
  if (first.includes('/')) {
    return words.map((w) => {
      const slash = w.indexOf('/');
      if (slash <= 0 || slash === w.length - 1) throw new UsageError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kvt get resource/<resource_name>' instead of 'kvt get resource resource/<resource_name>'): ${JSON.stringify(w)}`);
      return { resource: resourceOf(w.slice(0, slash)), name: w.slice(slash + 1) };
    });
  }
  const resource = resourceOf(first);
  if (rest.length === 0) throw new UsageError(`name at least one ${first} (KIND NAME or KIND/NAME)`);
  return rest.map((name) => {
    if (name.includes('/')) throw new UsageError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kvt get resource/<resource_name>' instead of 'kvt get resource resource/<resource_name>'): ${JSON.stringify(name)}`);
    return { resource, name };
  });
}
