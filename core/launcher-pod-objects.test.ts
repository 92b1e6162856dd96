// The one layout of a launcher pod's Secrets and ConfigMaps: which VMI volume mounts which object,
// under which pod volume name and path (KubeVirt's names and directories).
import { describe, expect, it } from 'vitest';
import type { Volume } from '../crd-gen/index.js';
import { accessCredentialObjects, launcherPodObjects, type LauncherPodObject } from './launcher-pod-objects.js';

const SECRETS = '/var/run/kubevirt-private/secret';
const CONFIG_MAPS = '/var/run/kubevirt-private/config-map';

describe('launcherPodObjects', () => {
  it.each<[string, Volume[] | undefined, LauncherPodObject[]]>([
    ['no volumes', undefined, []],
    ['volumes that name no object', [{ name: 'root', containerDisk: { image: 'img' } }, { name: 'ci', cloudInitNoCloud: { userData: '#!/bin/sh' } }, { name: 'scratch', emptyDisk: { capacity: '1Gi' } }], []],
    ['a secret volume', [{ name: 'sec', secret: { secretName: 's1' } }], [{ volume: 'sec', kind: 'Secret', name: 's1', mountPath: `${SECRETS}/sec` }]],
    ['an optional secret volume keeps its optional', [{ name: 'sec', secret: { secretName: 's1', optional: true } }], [{ volume: 'sec', kind: 'Secret', name: 's1', optional: true, mountPath: `${SECRETS}/sec` }]],
    ['a configMap volume', [{ name: 'cm', configMap: { name: 'c1', optional: false } }], [{ volume: 'cm', kind: 'ConfigMap', name: 'c1', optional: false, mountPath: `${CONFIG_MAPS}/cm` }]],
    ['NoCloud user data from a Secret', [{ name: 'ci', cloudInitNoCloud: { secretRef: { name: 'ud' } } }], [{ volume: 'ci-udata', kind: 'Secret', name: 'ud', mountPath: `${SECRETS}/ci-udata` }]],
    ['NoCloud user and network data from Secrets', [{ name: 'ci', cloudInitNoCloud: { secretRef: { name: 'ud' }, networkDataSecretRef: { name: 'nd' } } }], [
      { volume: 'ci-udata', kind: 'Secret', name: 'ud', mountPath: `${SECRETS}/ci-udata` },
      { volume: 'ci-ndata', kind: 'Secret', name: 'nd', mountPath: `${SECRETS}/ci-ndata` },
    ]],
    ['ConfigDrive network data from a Secret, user data inline', [{ name: 'cd', cloudInitConfigDrive: { userData: 'x', networkDataSecretRef: { name: 'nd' } } }], [{ volume: 'cd-ndata', kind: 'Secret', name: 'nd', mountPath: `${SECRETS}/cd-ndata` }]],
    ['a sysprep ConfigMap, at KubeVirt\'s sysprep directory', [{ name: 'sp', sysprep: { configMap: { name: 'unattend' } } }], [{ volume: 'sp', kind: 'ConfigMap', name: 'unattend', mountPath: '/var/run/kubevirt-private/sysprep/sp' }]],
    ['a sysprep Secret', [{ name: 'sp', sysprep: { secret: { name: 'unattend' } } }], [{ volume: 'sp', kind: 'Secret', name: 'unattend', mountPath: '/var/run/kubevirt-private/sysprep/sp' }]],
    ['a nameless reference mounts nothing (the launcher names the field)', [{ name: 'ci', cloudInitNoCloud: { secretRef: {} } }, { name: 'cm', configMap: { name: '' } }], []],
    ['volume order is kept', [{ name: 'b', configMap: { name: 'c' } }, { name: 'a', secret: { secretName: 's' } }], [
      { volume: 'b', kind: 'ConfigMap', name: 'c', mountPath: `${CONFIG_MAPS}/b` },
      { volume: 'a', kind: 'Secret', name: 's', mountPath: `${SECRETS}/a` },
    ]],
  ])('%s', (_title, volumes, want) => {
    expect(launcherPodObjects(volumes)).toEqual(want);
  });
});

describe('accessCredentialObjects: KubeVirt\'s <secret>-access-cred volumes', () => {
  type Credentials = Parameters<typeof accessCredentialObjects>[0];
  const key = (secretName: string): NonNullable<Credentials>[number] => ({ sshPublicKey: { source: { secret: { secretName } }, propagationMethod: { noCloud: {} } } });
  it.each<[string, Credentials, string[]]>([
    ['none', undefined, []],
    ['one key Secret', [key('my-keys')], ['my-keys-access-cred@/var/run/kubevirt-private/secret/my-keys-access-cred']],
    ['each Secret once, in spec order', [key('b'), key('a'), key('b')], ['b-access-cred@/var/run/kubevirt-private/secret/b-access-cred', 'a-access-cred@/var/run/kubevirt-private/secret/a-access-cred']],
    ['a password Secret too', [{ userPassword: { source: { secret: { secretName: 'pw' } }, propagationMethod: { qemuGuestAgent: {} } } }], ['pw-access-cred@/var/run/kubevirt-private/secret/pw-access-cred']],
  ])('%s', (_, credentials, expected) => {
    const found = accessCredentialObjects(credentials);
    expect(found.map((o) => `${o.volume}@${o.mountPath}`)).toEqual(expected);
    expect(launcherPodObjects([], credentials)).toEqual(found);
    for (const o of found) expect(o.kind).toBe('Secret');
  });
});
