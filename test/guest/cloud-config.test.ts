// The demo guest's readers of cloud-init data (test/guest/*.awk), run by the same busybox awk the
// guest runs: which public keys it authorizes and which runcmd commands it runs.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { IN_CI, haveTools } from '../fixtures/host.js';

const run = promisify(execFile);
const DIR = import.meta.dirname;

async function awk(script: string, input: string): Promise<string[]> {
  const child = run('busybox', ['awk', '-f', join(DIR, script)]);
  child.child.stdin?.end(input);
  const { stdout } = await child;
  return stdout.split('\n').filter((l) => l !== '');
}

describe.skipIf(!IN_CI && !haveTools(['busybox']))('the demo guest\'s cloud-init readers', () => {
  it.each<[string, string, string[]]>([
    ['top-level keys and runcmd strings', '#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAA a@b\n  - "ssh-rsa BBBB c@d"\nruncmd:\n- echo one > /tmp/1\n- \'httpd -p 8080 -h /tmp\'\n',
      ['key ssh-ed25519 AAAA a@b', 'key ssh-rsa BBBB c@d', 'run echo one > /tmp/1', 'run httpd -p 8080 -h /tmp']],
    ['keys under users, list items at the key\'s indent', '#cloud-config\nusers:\n  - name: root\n    ssh_authorized_keys:\n    - ssh-ed25519 CCCC e@f\n  - name: other\n    lock_passwd: true\n',
      ['key ssh-ed25519 CCCC e@f']],
    ['a flow list of keys', '#cloud-config\nssh_authorized_keys: [ssh-ed25519 A1 x, \'ssh-ed25519 A2 y\']\n', ['key ssh-ed25519 A1 x', 'key ssh-ed25519 A2 y']],
    ['a runcmd item as an argv list: one quoted word each', '#cloud-config\nruncmd:\n  - [ sh, -c, "echo it\'s" ]\n', ['run \'sh\' \'-c\' \'echo it\'\\\'\'s\'']],
    ['other modules\' lists are not commands', '#cloud-config\nwrite_files:\n  - path: /x\n    content: |\n      - not a command\npackages:\n  - nginx\nruncmd:\n  - true\nbootcmd:\n  - false\n', ['run true']],
    ['comments and CRLF line ends', '#cloud-config\r\n# runcmd:\r\nruncmd:\r\n  # a comment\r\n  - echo ok\r\n', ['run echo ok']],
  ])('cloud-config: %s', async (_, input, expected) => {
    expect(await awk('cloud-config.awk', input)).toEqual(expected);
  });

  it.each<[string, string, string[]]>([
    ['NoCloud: KubeVirt\'s numbered map, JSON strings', 'instance-id: x\nlocal-hostname: y\npublic-keys:\n  "0": "ssh-ed25519 AAAA a@b\\n"\n  "1": "ssh-rsa BB \\"q\\""\nother: 1\n',
      ['ssh-ed25519 AAAA a@b', 'ssh-rsa BB "q"']],
    ['NoCloud: a list', 'public-keys:\n  - ssh-ed25519 K1 a\n  - \'ssh-ed25519 K2 b\'\n', ['ssh-ed25519 K1 a', 'ssh-ed25519 K2 b']],
    ['NoCloud: none', 'instance-id: x\nlocal-hostname: y\n', []],
    ['ConfigDrive: public_keys, two keys in one value', `${JSON.stringify({ instance_id: 'a.b', public_keys: { 0: 'ssh-ed25519 AAAA a@b\nssh-rsa X y', 1: 'k2' }, uuid: 'u' })}\n`,
      ['ssh-ed25519 AAAA a@b', 'ssh-rsa X y', 'k2']],
    ['ConfigDrive: none', '{"instance_id":"a.b","uuid":"u"}\n', []],
  ])('meta-data: %s', async (_, input, expected) => {
    expect(await awk('meta-keys.awk', input)).toEqual(expected);
  });
});
