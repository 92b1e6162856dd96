import { describe, expect, it } from 'vitest';
import { layerCompression, ociArchitecture, offeredPlatforms, parseManifest, selectPlatform, type Descriptor } from './manifest.js';

const dg = (c: string): string => `sha256:${c.repeat(64)}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('parseManifest', () => {
  it('reads an OCI image manifest', () => {
    const text = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: dg('a'), size: 10 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: dg('b'), size: 20 }] });
    expect(parseManifest(text, undefined)).toEqual({ kind: 'image', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: dg('a'), size: 10 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: dg('b'), size: 20 }] });
  });

  it('reads a Docker manifest list by its Content-Type', () => {
    const text = JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: dg('c'), size: 5, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] });
    expect(parseManifest(text, 'application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8')).toMatchObject({ kind: 'index', manifests: [{ platform: { architecture: 'arm64', variant: 'v8' } }] });
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /not a JSON object/],
    ['{"schemaVersion":1,"fsLayers":[]}', /schemaVersion 1 is not supported/],
    [JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.artifact.manifest.v1+json' }), /not an image manifest or index/],
    [JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }), /config.mediaType is missing/],
    [JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: 'sha256:../../x', size: 1 }, layers: [] }), /config.digest .* is not a sha256 digest/],
    [JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: dg('a'), size: -1 }, layers: [] }), /config.size is not a byte count/],
    [JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: dg('a'), size: 1 } }), /no layers list/],
  ])('refuses %s', (text, reason) => {
    expect(() => parseManifest(text, undefined)).toThrow(reason);
  });
});

describe('selectPlatform', () => {
  const m = (c: string, architecture: string, os = 'linux', variant?: string): Descriptor => ({ mediaType: OCI_MANIFEST, digest: dg(c), size: 1, platform: { os, architecture, ...(variant === undefined ? {} : { variant }) } });
  const attestation: Descriptor = { mediaType: OCI_MANIFEST, digest: dg('f'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } };

  it.each<[string, Descriptor[], string, string | undefined]>([
    ['amd64 among others', [m('1', 'arm64'), m('2', 'amd64'), attestation], 'amd64', dg('2')],
    ['arm64 only', [m('1', 'arm64', 'linux', 'v8')], 'amd64', undefined],
    ['another OS', [m('1', 'amd64', 'windows')], 'amd64', undefined],
    ['the first of two', [m('1', 'amd64'), m('2', 'amd64', 'linux', 'v2')], 'amd64', dg('1')],
    ['no platform', [{ mediaType: OCI_MANIFEST, digest: dg('3'), size: 1 }], 'amd64', undefined],
  ])('%s', (_what, manifests, architecture, digest) => {
    expect(selectPlatform(manifests, { os: 'linux', architecture })?.digest).toBe(digest);
  });

  it('names what an index offers, without attestations', () => {
    expect(offeredPlatforms([m('1', 'arm64', 'linux', 'v8'), m('2', 's390x'), attestation])).toEqual(['linux/arm64/v8', 'linux/s390x']);
  });

  it.each([['x64', 'amd64'], ['arm64', 'arm64'], ['ia32', '386'], ['ppc64', 'ppc64le'], ['s390x', 's390x'], ['wasm', undefined]])('process.arch %s is %s', (node, oci) => {
    expect(ociArchitecture(node)).toBe(oci);
  });

  it.each([
    ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip'], ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip'],
    ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd'], ['application/vnd.oci.image.layer.v1.tar', 'none'], ['application/vnd.oci.image.config.v1+json', undefined],
  ])('layer %s is %s', (type, compression) => {
    expect(layerCompression(type)).toBe(compression);
  });
});
