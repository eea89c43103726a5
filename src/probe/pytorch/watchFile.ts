/**
 * Reading a watch() file (python/initlens_probe/watching.py) as it grows: complete lines only
 * (a line still being written waits for its newline), each validated by the probe's schema,
 * then the host's theory and diagnosis (bridge.ts). A malformed line or a file that is not a
 * run is skipped with a warning; nothing here throws. Pure: bytes in, events and warnings out.
 */
import { parseLine, probeEventSchema } from '../../protocol';
import type { ProbeEvent } from '../../protocol';
import { PytorchBridge } from './bridge';

export interface WatchChunk {
  events: ProbeEvent[];
  warnings: string[];
}

export class WatchFileReader {
  private pending = '';
  private readonly bridge = new PytorchBridge();
  private lineNo = 0;
  private runId: string | undefined;

  constructor(private readonly fileName: string) {}

  /** Feed the text appended since the last call. */
  push(text: string): WatchChunk {
    const out: WatchChunk = { events: [], warnings: [] };
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      this.lineNo += 1;
      if (line.trim() === '') continue;
      const parsed = parseLine(probeEventSchema, line);
      if (!parsed.ok) {
        out.warnings.push(`${this.fileName}:${this.lineNo}: skipped a malformed record (${parsed.error.slice(0, 160)})`);
        continue;
      }
      const event = parsed.value;
      if (this.runId === undefined) {
        if (event.type !== 'started') {
          out.warnings.push(`${this.fileName}:${this.lineNo}: skipped a '${event.type}' record before the run's 'started' record`);
          continue;
        }
        this.runId = event.runId;
      } else if (event.runId !== this.runId) {
        out.warnings.push(`${this.fileName}:${this.lineNo}: skipped a record of another run (${event.runId})`);
        continue;
      }
      out.events.push(...this.bridge.translate(event));
    }
    return out;
  }

  /** At the end of a file that will not grow (its run finished or was abandoned): a last line without newline is truncated. */
  end(): WatchChunk {
    const rest = this.pending;
    this.pending = '';
    if (rest.trim() === '') return { events: [], warnings: [] };
    const chunk = this.push(rest + '\n');
    return chunk;
  }

  get started(): boolean {
    return this.runId !== undefined;
  }
}
