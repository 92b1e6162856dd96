/**
 * KubeVirt's rule tying SSH keys to cloud-init (checked after the volumes, listed beside B54): a
 * key propagated through NoCloud needs a cloudInitNoCloud volume, and one propagated through a
 * config drive needs a cloudInitConfigDrive volume.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go (validateAccessCredentials)
 */
import type { Cause } from '../../cause.js';
import type { SpecValidator } from '../types.js';
import { invalid } from './common.js';

const METHODS = [['noCloud', 'cloudInitNoCloud'], ['configDrive', 'cloudInitConfigDrive']] as const;

/** The SSH key propagation rule. */
export const validateAccessCredentials: SpecValidator = (spec, path) => {
  const volumes = spec.volumes ?? [];
  return (spec.accessCredentials ?? []).flatMap((credential, i): Cause[] => {
    const method = credential.sshPublicKey?.propagationMethod;
    if (method === undefined) return [];
    const at = path.child('accessCredentials').index(i).child('sshPublicKey').child('propagationMethod');
    return METHODS.filter(([key, volume]) => method[key] !== undefined && !volumes.some((v) => v[volume] !== undefined)).map(([key, volume]) =>
      invalid(at, `${at}.${key} needs a ${volume} volume to carry the SSH key, and the spec has none`));
  });
};
