// A report line (electron/cli/report.ts) for the tests that build reports by hand: a written slide
// of one input under /data, its other fields plain; each test gives what it is about.

import type { ReportLine } from '../electron/cli/report';

export function plainReportLine(slide: string, more: Partial<ReportLine> = {}): ReportLine {
  return {
    slide,
    path: `/data/${slide}`,
    status: 'written',
    command: 'thumbnail',
    outputs: [],
    vendor: null,
    width: null,
    height: null,
    started: '',
    ms: 0,
    error: null,
    shard: null,
    batchInputs: 1,
    input: slide,
    inputSlides: 1,
    listedIn: null,
    host: 'node1',
    pid: 1,
    version: '0.1.0',
    ...more,
  };
}
