/**
 * Test support for the pod network: what the host has (namespaces, links, nftables tables) to
 * compare before and after, a test's own bridge name and a free /24 for it, and a TCP listener
 * inside a namespace to reach a pod address from the host.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { formatCidr, overlaps, parseAnyCidr, type Cidr } from '../cidr.js';

/** The host's network namespaces, links and nftables tables. */
export interface HostNetworkSnapshot {
  readonly netns: readonly string[];
  readonly links: readonly string[];
  readonly tables: readonly string[];
}

/** What the host has now. */
export function hostNetworkSnapshot(): HostNetworkSnapshot {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n !== '');
  const links = (JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[]).map((l) => l.ifname);
  const tables = execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return { netns, links, tables };
}

/** What `after` has that `before` had not (what a test left behind, when it should have left nothing). */
export function addedSince(before: HostNetworkSnapshot, after: HostNetworkSnapshot): HostNetworkSnapshot {
  const added = (a: readonly string[], b: readonly string[]): string[] => b.filter((x) => !a.includes(x));
  return { netns: added(before.netns, after.netns), links: added(before.links, after.links), tables: added(before.tables, after.tables) };
}

/** A bridge name of this test process (`kvtt<pid>`). */
export function testBridge(tag = ''): string {
  return `kvtt${tag}${process.pid}`.slice(0, 15);
}

/** A /24 of 10.239/16 no host route touches now, chosen from this process's pid. */
export function freeTestCidr(): string {
  const routes = (JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' })) as { dst: string }[])
    .map((r) => parseAnyCidr(r.dst)).filter((c): c is Cidr => c !== undefined && c.prefix > 0);
  for (let i = 0; i < 250; i++) {
    const candidate = parseAnyCidr(`10.239.${(process.pid + i) % 250}.0/24`) as Cidr;
    if (!routes.some((r) => overlaps(candidate, r))) return formatCidr(candidate);
  }
  throw new Error('no free /24 in 10.239.0.0/16');
}

/**
 * A TCP listener at `ip:port` inside `netns` that answers "pong" to a connection (with `tellPeer`,
 * "pong from <the peer's address>"); kill it when done.
 */
export async function listenInNetns(netns: string, ip: string, port: number, tellPeer = false): Promise<ChildProcess> {
  const answer = tellPeer ? "'pong from ' + s.remoteAddress" : "'pong'";
  const script = `require('node:net').createServer((s) => s.end(${answer})).listen(${port}, ${JSON.stringify(ip)}, () => console.log('listening'))`;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((done, fail) => {
    child.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('listening')) done(); });
    child.once('exit', (code) => fail(new Error(`the listener in ${netns} exited with ${String(code)}`)));
  });
  return child;
}

/** What a TCP connection to `ip:port` reads (from the host's namespace), or the error's code. */
export function tcpAnswer(ip: string, port: number, timeoutMs = 10_000): Promise<string> {
  return new Promise((done) => {
    const socket = connect({ host: ip, port, timeout: timeoutMs });
    let text = '';
    socket.on('data', (d) => { text += d.toString(); });
    socket.once('end', () => done(text));
    socket.once('timeout', () => { socket.destroy(); done('timeout'); });
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

/** What a TCP connection to `ip:port` from inside `netns` reads, or the error's code ('timeout' after `timeoutMs`). */
export function tcpAnswerFrom(netns: string, ip: string, port: number, timeoutMs = 10_000): string {
  const script = `const s=require('node:net').connect({host:${JSON.stringify(ip)},port:${port},timeout:${timeoutMs}});let t='';`
    + "s.on('data',d=>t+=d);s.on('end',()=>console.log(t));s.on('timeout',()=>{console.log('timeout');s.destroy()});s.on('error',e=>console.log(e.code))";
  return execFileSync('ip', ['netns', 'exec', netns, process.execPath, '-e', script], { encoding: 'utf8' }).trim();
}
