import { describe, expect, it } from 'vitest';
import type { Network, Port } from '../../../crd-gen/index.js';
import { CauseType } from '../../cause.js';
import { portNameProblem } from './interface-ports.js';
import { validateInterfaceFields } from './interfaces.js';
import { causesOf, specWith, type DeniedCase } from './cases.testing.js';

const P = 'spec.domain.devices.interfaces[0].ports';
const POD: Network = { name: 'default', pod: {} };
const ports = (list: Port[], network: Network = POD) => specWith({ interfaces: [{ name: 'default', masquerade: {}, ports: list }] }, { networks: [network] });

const denied: readonly DeniedCase[] = [
  { id: 'B81', title: 'a repeated port name', spec: ports([{ name: 'http', port: 80 }, { name: 'http', port: 8080 }]), field: `${P}[1].name`, type: CauseType.Duplicate, value: '"http"' },
  { id: 'B82', title: 'a port name with upper case', spec: ports([{ name: 'HTTP', port: 80 }]), field: `${P}[0].name`, type: CauseType.Invalid, value: '"HTTP"' },
  { id: 'B82', title: 'a port name of 16 characters', spec: ports([{ name: 'a'.repeat(16), port: 80 }]), field: `${P}[0].name`, type: CauseType.Invalid, value: '15 characters' },
  { id: 'B82', title: 'a port name of digits only', spec: ports([{ name: '8080', port: 80 }]), field: `${P}[0].name`, type: CauseType.Invalid, value: '"8080"' },
  { id: 'B83', title: 'port 0', spec: ports([{ name: 'x', port: 0 }]), field: `${P}[0]`, type: CauseType.Required, value: 'port is mandatory' },
  { id: 'B84', title: 'port 70000 (KubeVirt\'s path, not the schema\'s)', spec: ports([{ port: 70000 }]), field: `${P}[0]`, type: CauseType.Invalid, value: '70000' },
  { id: 'B84', title: 'a negative port', spec: ports([{ port: -1 }]), field: `${P}[0]`, type: CauseType.Invalid, value: '-1' },
  { id: 'B85', title: 'protocol tcp (lower case)', spec: ports([{ port: 22, protocol: 'tcp' }]), field: `${P}[0].protocol`, type: CauseType.Invalid, value: '"tcp"' },
  { id: 'B85', title: 'protocol SCTP in a VM template', template: true, spec: ports([{ port: 22, protocol: 'SCTP' }]), field: 'spec.template.spec.domain.devices.interfaces[0].ports[0].protocol', type: CauseType.Invalid, value: '"SCTP"' },
];

describe('validateInterfaceFields: ports', () => {
  it.each(denied)('$id denies $title', (c) => {
    const causes = causesOf(validateInterfaceFields, c);
    expect(causes).toEqual([expect.objectContaining({ field: c.field, type: c.type })]);
    expect(causes[0]?.message).toContain(c.value);
  });

  it('B81 and B82 check names before B83–B85 check each port', () => {
    const causes = causesOf(validateInterfaceFields, { spec: ports([{ name: 'a', port: 0 }, { name: 'a', port: 1, protocol: 'x' }]) });
    expect(causes.map((c) => c.field)).toEqual([`${P}[1].name`, `${P}[0]`, `${P}[1].protocol`]);
  });

  it.each([
    ['B81-B85', 'named and unnamed ports, TCP and UDP, port 65536 (KubeVirt lets it pass)', ports([{ name: 'ssh', port: 22 }, { port: 53, protocol: 'UDP' }, { name: 'h-t-t-p', port: 65536, protocol: 'TCP' }])],
    ['B81-B85', 'bad ports on a Multus network (ports are only checked on the pod network)', ports([{ name: 'BAD', port: 0 }, { name: 'BAD', port: 0 }], { name: 'default', multus: { networkName: 'n' } })],
  ])('%s admits %s', (_id, _title, spec) => {
    expect(causesOf(validateInterfaceFields, { spec })).toEqual([]);
  });

  it.each([
    ['http', undefined], ['a-1', undefined], ['-a', 'must not begin or end with "-"'], ['a--b', 'must not contain "--"'], ['a_b', 'may only hold lower case letters, digits and "-"'],
  ])('portNameProblem(%j) is %j', (name, problem) => {
    expect(portNameProblem(name)).toBe(problem);
  });
});
