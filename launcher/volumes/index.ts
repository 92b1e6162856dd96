/**
 * Volume planning for the launcher: which host paths a VMI's volumes become, what the converter
 * sees for each, and the steps that prepare them (executed by launcher/runtime/volumes.ts).
 */
export { imageRefs, planVolumes } from './plan.js';
export { volumeAccess } from './access.js';
export { keySecrets, metaDataEntry, metaDataWithKeys, publicKeysOf, type CloudInitKind, type KeySecret } from './access-credentials.js';
export { CLOUD_INIT_SECRET_KEYS, CLOUD_INIT_VOLUME_IDS, configDriveMetaData, guestHostname, noCloudMetaData } from './cloud-init.js';
export { DEFAULT_CONFIG_VOLUME_ID } from './config-disks.js';
export { SYSPREP_ANSWER_FILE, SYSPREP_VOLUME_ID } from './sysprep.js';
export { formatMap } from './downward-api.js';
export {
  VMI_DIRS, cloudInitIsoCopyPath, cloudInitIsoPath, configIsoPath, sysprepIsoPath, emptyDiskPath, overlayPath, serviceAccountIsoPath, stagingDir, volumeStorePath,
} from './layout.js';
export {
  configMapData, mountedObjectDirs, secretData, staticObjectSource,
  type ConfigMapLike, type ObjectData, type ObjectSource, type SecretLike, type ServiceAccountToken, type StaticObjects,
} from './objects.js';
export type {
  Access, BaseStore, ImageFacts, IsoEntry, KernelBootFiles, PlannedVolume, PrepareStep, VolumeKind, VolumePlan, VolumePlanFacts,
} from './types.js';
