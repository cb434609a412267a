// A one-line progress bar on a terminal; silent when output is piped (logs stay clean).

export interface Progress {
  update(done: number, total: number, current: string): void;
  finish(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, finish() {} };
  let drawn = false;
  return {
    update(done, total, current) {
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : 0;
      const name = current.length > 40 ? `…${current.slice(-39)}` : current;
      stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${name}\u001b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
