// The CPUs and memory a container or scheduler job may use: Node 20's libuv (1.46) counts every core of
// the node whatever the cgroup's CPU quota, and Kubernetes and Slurm limit memory by cgroup alone.

import { readFileSync } from 'node:fs';

export interface ContainerLimits {
  /** CPUs the cgroup's quota allows (quota / period, e.g. 1.5), the smallest over the process's cgroup and its ancestors; null when none. */
  cpus: number | null;
  /** The smallest memory limit in bytes over the process's cgroup and its ancestors; null when none (v1's 'unlimited' is a huge number near 2^63: treat anything >= 2^60 as none). */
  memoryBytes: number | null;
}

/** v1 writes 'unlimited' as a page-rounded 2^63 - 1. */
const UNLIMITED = 2 ** 60;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** A positive number below UNLIMITED, or null ('max', -1, empty, missing). */
function limit(text: string | null | undefined): number | null {
  const n = Number(text);
  return text && Number.isFinite(n) && n > 0 && n < UNLIMITED ? n : null;
}

function smaller(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`). */
const unoctal = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/** The cgroup's directory and its ancestors up to the mount point; the mount point alone when the path is not under the mount's root (a cgroup namespace). */
function walk(mountPoint: string, mountRoot: string, path: string): string[] {
  const base = mountRoot === '/' ? '' : mountRoot;
  const under = path === base || path.startsWith(`${base}/`);
  const parts = under ? path.slice(base.length).split('/').filter(Boolean) : [];
  if (parts.includes('..')) parts.length = 0;
  return parts.map((_, i) => `${mountPoint}/${parts.slice(0, parts.length - i).join('/')}`).concat(mountPoint);
}

export function readContainerLimits(root = ''): ContainerLimits {
  const limits: ContainerLimits = { cpus: null, memoryBytes: null };
  try {
    // hierarchy-ID:controller-list:path; v2's is 0::/path.
    const groups = (read(`${root}/proc/self/cgroup`) ?? '').split('\n').flatMap((line) => {
      const match = /^(\d+):([^:]*):(.*)$/.exec(line);
      return match ? [{ v2: match[1] === '0' && match[2] === '', controllers: match[2]!.split(','), path: match[3]! }] : [];
    });
    for (const line of (read(`${root}/proc/self/mountinfo`) ?? '').split('\n')) {
      const [before, after] = line.split(' - ');
      const fields = before?.split(' ') ?? [];
      const [fstype, , options = ''] = after?.split(' ') ?? [];
      if (fields.length < 5 || (fstype !== 'cgroup' && fstype !== 'cgroup2')) continue;
      const mountRoot = unoctal(fields[3]!);
      const mountPoint = `${root}${unoctal(fields[4]!)}`;
      const has = (controller: string) => options.split(',').includes(controller);
      const group = (v2: boolean, controller?: string) => groups.find((g) => g.v2 === v2 && (controller === undefined || g.controllers.includes(controller)));
      const cpu = fstype === 'cgroup2' ? group(true) : has('cpu') ? group(false, 'cpu') : undefined;
      const memory = fstype === 'cgroup2' ? group(true) : has('memory') ? group(false, 'memory') : undefined;
      for (const dir of cpu ? walk(mountPoint, mountRoot, cpu.path) : []) {
        const [quota, period] =
          fstype === 'cgroup2' ? (read(`${dir}/cpu.max`) ?? '').split(' ') : [read(`${dir}/cpu.cfs_quota_us`), read(`${dir}/cpu.cfs_period_us`)];
        const [q, p] = [limit(quota), limit(period)];
        if (q !== null && p !== null) limits.cpus = smaller(limits.cpus, q / p);
      }
      for (const dir of memory ? walk(mountPoint, mountRoot, memory.path) : []) {
        limits.memoryBytes = smaller(limits.memoryBytes, limit(read(`${dir}/${fstype === 'cgroup2' ? 'memory.max' : 'memory.limit_in_bytes'}`)));
      }
    }
    return limits;
  } catch {
    return limits;
  }
}
