/**
 * The instancetype and preference matcher checks of KubeVirt's VM mutating webhook (C01–C07): a
 * matcher names an object or infers it from a volume, not both; inference leaves the kind empty;
 * the failure policy is Ignore or Reject; and on UPDATE the name cannot change while the pinned
 * revision stays. All causes are gathered (KubeVirt stops at the first group).
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/instancetype/webhooks/vm/mutator.go
 */
import { isDeepStrictEqual } from 'node:util';
import { path } from '../../core/field-path.js';
import type { InstancetypeMatcher, PreferenceMatcher, VirtualMachine } from '../../crd-gen/index.js';
import { cause, CauseType, type Cause } from '../cause.js';

type Matcher = Readonly<InstancetypeMatcher | PreferenceMatcher>;
type Which = 'instancetype' | 'preference';

const FAILURE_POLICIES: readonly string[] = ['Ignore', 'Reject'];

/** A matcher with its optional strings read as Go reads them (empty when unset). */
interface Fields {
  readonly which: Which;
  readonly name: string;
  readonly volume: string;
  readonly kind: string;
  readonly policy: string | undefined;
}

function fieldsOf(which: Which, matcher: Matcher): Fields {
  return { which, name: matcher.name ?? '', volume: matcher.inferFromVolume ?? '', kind: matcher.kind ?? '', policy: matcher.inferFromVolumeFailurePolicy };
}

/** One matcher check: its cause when the matcher breaks it. */
type Check = (m: Fields) => Cause | undefined;

const clearFirst = (m: Fields, field: 'name' | 'kind', value: string): Cause =>
  cause(CauseType.NotSupported, path('spec', m.which, field), `${field} ${JSON.stringify(value)} must be empty when inferFromVolume ${JSON.stringify(m.volume)} is used in the ${m.which} matcher; clear it before inferring`);

/** C01–C04 (C05: the same for the preference matcher), in KubeVirt's order. */
const CHECKS: readonly Check[] = [
  (m) => (m.name === '' && m.volume === '' ? cause(CauseType.NotFound, path('spec', m.which), `either name or inferFromVolume must be given in the ${m.which} matcher`) : undefined),
  (m) => (m.volume !== '' && m.name !== '' ? clearFirst(m, 'name', m.name) : undefined),
  (m) => (m.volume !== '' && m.kind !== '' ? clearFirst(m, 'kind', m.kind) : undefined),
  (m) => (m.policy === undefined || FAILURE_POLICIES.includes(m.policy)
    ? undefined
    : cause(CauseType.Invalid, path('spec', m.which, 'inferFromVolumeFailurePolicy'), `invalid value '${m.policy}' for inferFromVolumeFailurePolicy; allowed values are ${FAILURE_POLICIES.join(', ')}`)),
];

/** C01–C05: one matcher's own problems. */
export function matcherCauses(which: Which, matcher: Matcher | undefined): Cause[] {
  if (matcher === undefined) return [];
  const fields = fieldsOf(which, matcher);
  return CHECKS.map((check) => check(fields)).filter((c): c is Cause => c !== undefined);
}

/** Whether an update renamed the matcher but kept its non-empty revision. */
function renamedKeepingRevision(matcher: Fields & { readonly revision: string }, old: Fields & { readonly revision: string }): boolean {
  return matcher.revision !== '' && matcher.name !== old.name && matcher.revision === old.revision;
}

const withRevision = (which: Which, m: Matcher): Fields & { readonly revision: string } => ({ ...fieldsOf(which, m), revision: m.revisionName ?? '' });

/**
 * C06/C07: on UPDATE, a matcher whose name changed while its (non-empty) revisionName stayed.
 * Adding or removing a matcher is always allowed, and an empty new revisionName means the
 * controller will pick a new revision.
 */
export function matcherUpdateCauses(which: Which, matcher: Matcher | undefined, old: Matcher | undefined): Cause[] {
  if (matcher === undefined || old === undefined || isDeepStrictEqual(matcher, old)) return [];
  const now = withRevision(which, matcher);
  const before = withRevision(which, old);
  if (!renamedKeepingRevision(now, before)) return [];
  return [cause(CauseType.Invalid, path('spec', which, 'revisionName'), `the ${which} matcher name was changed from ${JSON.stringify(before.name)} to ${JSON.stringify(now.name)} without changing or clearing revisionName ${JSON.stringify(now.revision)}`)];
}

/** Every matcher cause of `vm` (C01–C07); `old` is the stored VM on UPDATE. */
export function vmMatcherCauses(vm: Readonly<VirtualMachine>, old: Readonly<VirtualMachine> | undefined): Cause[] {
  return [
    ...matcherUpdateCauses('instancetype', vm.spec.instancetype, old?.spec.instancetype),
    ...matcherUpdateCauses('preference', vm.spec.preference, old?.spec.preference),
    ...matcherCauses('instancetype', vm.spec.instancetype),
    ...matcherCauses('preference', vm.spec.preference),
  ];
}
