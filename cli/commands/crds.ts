import { parseArgs } from 'node:util';
import { toYamlDocuments } from '../../core/yaml.js';
import { CRDS } from '../../crd-gen/crds.js';
import { UsageError, type Command } from '../command.js';
import { asList } from '../../core/manifests.js';

/** `kvt crds`: every CRD we serve, as multi-document YAML, ready for `kubectl apply -f -`. */
export const crdsCommand: Command = {
  name: 'crds',
  summary: 'Print every CustomResourceDefinition as multi-document YAML',
  usage: [
    'kvt crds [-o yaml|json]',
    '',
    'Options:',
    '  -o, --output yaml|json   multi-document YAML, or one JSON List   [yaml]',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args: [...args], options: { output: { type: 'string', short: 'o', default: 'yaml' } }, strict: true });
    if (values.output === 'json') io.out(`${JSON.stringify(asList(CRDS), null, 2)}\n`);
    else if (values.output === 'yaml') io.out(toYamlDocuments(CRDS));
    else throw new UsageError(`--output must be yaml or json, not ${JSON.stringify(values.output)}`);
    return 0;
  },
};
