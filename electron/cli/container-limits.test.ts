// The cgroup limits read from fake /proc and /sys trees as Kubernetes, Docker and Slurm lay them out
// (v1, v2, hybrid), each with a decoy that a wrong mount, path or walk would read instead.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readContainerLimits } from './container-limits';

const GB = 2 ** 30;
const V1_UNLIMITED = '9223372036854771712';
const temp = mkdtempSync(join(tmpdir(), 'slidescope-container-limits-'));
after(() => rmSync(temp, { recursive: true, force: true }));

let trees = 0;
/** A fake root holding `files` (absolute paths to contents); returns its prefix. */
function tree(files: Record<string, string>): string {
  const root = join(temp, String(trees++));
  mkdirSync(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  }
  return root;
}

/** A mountinfo line: `mountRoot` within the hierarchy mounted at `mountPoint` (escaped as the kernel does). */
const mount = (id: number, mountRoot: string, mountPoint: string, fstype: 'cgroup' | 'cgroup2', options: string) =>
  `${id} 23 0:${id} ${mountRoot} ${mountPoint} rw,nosuid,nodev,noexec,relatime - ${fstype} ${fstype} ${options}`;

const v2Mount = mount(30, '/', '/sys/fs/cgroup', 'cgroup2', 'rw,nsdelegate,memory_recursiveprot');

describe('readContainerLimits', () => {
  test('cgroup v2 in a container namespace: the mount point is the container', () => {
    const root = tree({
      '/proc/self/cgroup': '0::/',
      '/proc/self/mountinfo': `22 1 0:21 / / rw - overlay overlay rw\n${v2Mount}`,
      '/sys/fs/cgroup/cpu.max': '200000 100000',
      '/sys/fs/cgroup/memory.max': String(3 * GB),
    });
    assert.deepEqual(readContainerLimits(root), { cpus: 2, memoryBytes: 3 * GB });
    // A process moved outside the namespace's cgroup sees a path through '..': the mount point, not the directory the path leads to.
    const outside = tree({
      '/proc/self/cgroup': '0::/../other',
      '/proc/self/mountinfo': v2Mount,
      '/sys/fs/cgroup/memory.max': String(3 * GB),
      '/sys/fs/other/memory.max': String(GB),
    });
    assert.deepEqual(readContainerLimits(outside), { cpus: null, memoryBytes: 3 * GB });
  });

  test("cgroup v2 under Slurm: the smallest over the task's cgroup and its ancestors, not a sibling's", () => {
    const job = '/sys/fs/cgroup/system.slice/slurmstepd.scope/job_12';
    const root = tree({
      '/proc/self/cgroup': '0::/system.slice/slurmstepd.scope/job_12/step_0/user/task_0',
      '/proc/self/mountinfo': v2Mount,
      '/sys/fs/cgroup/cpu.max': '800000 100000',
      '/sys/fs/cgroup/memory.max': String(64 * GB),
      '/sys/fs/cgroup/system.slice/memory.max': String(32 * GB),
      [`${job}/cpu.max`]: '300000 100000',
      [`${job}/memory.max`]: String(8 * GB),
      [`${job}/step_0/cpu.max`]: 'max 100000',
      [`${job}/step_0/memory.max`]: 'max',
      [`${job}/step_0/user/task_0/memory.max`]: 'max',
      // Another job's, smaller: a walk that strayed would take them.
      '/sys/fs/cgroup/system.slice/slurmstepd.scope/job_13/cpu.max': '100000 100000',
      '/sys/fs/cgroup/system.slice/slurmstepd.scope/job_13/memory.max': String(GB),
    });
    assert.deepEqual(readContainerLimits(root), { cpus: 3, memoryBytes: 8 * GB });
  });

  test("cgroup v2 mounted from a subtree: the mount's root is stripped from the path; a path outside it reads the mount point", () => {
    const files = {
      '/proc/self/mountinfo': mount(30, '/kubepods/pod1', '/sys/fs/cgroup', 'cgroup2', 'rw'),
      '/sys/fs/cgroup/memory.max': String(16 * GB),
      '/sys/fs/cgroup/ctr/cpu.max': '50000 100000',
      '/sys/fs/cgroup/ctr/memory.max': String(2 * GB),
      // Where the path would lead without stripping.
      '/sys/fs/cgroup/kubepods/pod1/ctr/memory.max': String(GB),
    };
    assert.deepEqual(readContainerLimits(tree({ ...files, '/proc/self/cgroup': '0::/kubepods/pod1/ctr' })), { cpus: 0.5, memoryBytes: 2 * GB });
    assert.deepEqual(readContainerLimits(tree({ ...files, '/proc/self/cgroup': '0::/kubepods/pod2/ctr' })), { cpus: null, memoryBytes: 16 * GB });
    assert.deepEqual(readContainerLimits(tree({ ...files, '/proc/self/cgroup': '0::/../ctr' })), { cpus: null, memoryBytes: 16 * GB });
  });

  test("cgroup v2 with 'max' everywhere: no limits", () => {
    const root = tree({
      '/proc/self/cgroup': '0::/user.slice/session-1.scope',
      '/proc/self/mountinfo': v2Mount,
      '/sys/fs/cgroup/user.slice/cpu.max': 'max 100000',
      '/sys/fs/cgroup/user.slice/memory.max': 'max',
      '/sys/fs/cgroup/user.slice/session-1.scope/cpu.max': 'max 100000',
      '/sys/fs/cgroup/user.slice/session-1.scope/memory.max': 'max',
      '/sys/fs/cgroup/system.slice/cpu.max': '100000 100000',
    });
    assert.deepEqual(readContainerLimits(root), { cpus: null, memoryBytes: null });
  });

  const v1Cgroup = ['5:memory:/docker/abc', '4:cpuset:/docker/abc', '3:cpu,cpuacct:/docker/abc', '1:name=systemd:/docker/abc', '0::/'].join('\n');
  const v1Mountinfo = [
    mount(31, '/', '/sys/fs/cgroup/cpuset', 'cgroup', 'rw,cpuset'),
    mount(32, '/', '/sys/fs/cgroup/cpu,cpuacct', 'cgroup', 'rw,cpu,cpuacct'),
    mount(33, '/', '/sys/fs/cgroup/memory', 'cgroup', 'rw,memory'),
    mount(34, '/', '/sys/fs/cgroup/unified', 'cgroup2', 'rw'),
  ].join('\n');

  test('cgroup v1 (hybrid) with cpu,cpuacct and memory mounted apart', () => {
    const root = tree({
      '/proc/self/cgroup': v1Cgroup,
      '/proc/self/mountinfo': v1Mountinfo,
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '150000',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000',
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
      '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': String(6 * GB),
      // cpuset is not cpu: a match on part of a name would read these.
      '/sys/fs/cgroup/cpuset/docker/abc/cpu.cfs_quota_us': '50000',
      '/sys/fs/cgroup/cpuset/docker/abc/cpu.cfs_period_us': '100000',
    });
    assert.deepEqual(readContainerLimits(root), { cpus: 1.5, memoryBytes: 6 * GB });
  });

  test("cgroup v1 unlimited (-1, and 'unlimited' near 2^63): no limits", () => {
    const root = tree({
      '/proc/self/cgroup': v1Cgroup,
      '/proc/self/mountinfo': v1Mountinfo,
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '-1',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000',
      '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': V1_UNLIMITED,
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
    });
    assert.deepEqual(readContainerLimits(root), { cpus: null, memoryBytes: null });
  });

  test('a mount point with a space, escaped as \\040 in mountinfo', () => {
    const root = tree({
      '/proc/self/cgroup': '7:memory:/job',
      '/proc/self/mountinfo': mount(35, '/', '/mnt/cgroup\\040memory', 'cgroup', 'rw,memory'),
      '/mnt/cgroup memory/job/memory.limit_in_bytes': String(4 * GB),
    });
    assert.deepEqual(readContainerLimits(root), { cpus: null, memoryBytes: 4 * GB });
  });

  test('no /proc files: no limits', () => {
    assert.deepEqual(readContainerLimits(tree({})), { cpus: null, memoryBytes: null });
    assert.deepEqual(readContainerLimits(join(temp, 'missing')), { cpus: null, memoryBytes: null });
  });

  test('this machine: numbers or null, without throwing', () => {
    const limits = readContainerLimits();
    assert.deepEqual(Object.keys(limits).sort(), ['cpus', 'memoryBytes']);
    for (const value of Object.values(limits)) assert.ok(value === null || (typeof value === 'number' && value > 0), String(value));
  });
});
