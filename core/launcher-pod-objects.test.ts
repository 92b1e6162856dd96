// The one layout of a launcher pod's Secrets and ConfigMaps: which VMI volume mounts which object,
// under which pod volume name and path (KubeVirt's names and directories).
import { describe, expect, it } from 'vitest';
import type { Volume } from '../crd-gen/index.js';
import { launcherPodObjects, type LauncherPodObject } from './launcher-pod-objects.js';

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
    ['a nameless reference mounts nothing (the launcher names the field)', [{ name: 'ci', cloudInitNoCloud: { secretRef: {} } }, { name: 'cm', configMap: { name: '' } }], []],
    ['volume order is kept', [{ name: 'b', configMap: { name: 'c' } }, { name: 'a', secret: { secretName: 's' } }], [
      { volume: 'b', kind: 'ConfigMap', name: 'c', mountPath: `${CONFIG_MAPS}/b` },
      { volume: 'a', kind: 'Secret', name: 's', mountPath: `${SECRETS}/a` },
    ]],
  ])('%s', (_title, volumes, want) => {
    expect(launcherPodObjects(volumes)).toEqual(want);
  });
});
