/**
 * What an interpreter offers for PyTorch runs: `python -m initlens_probe --status` prints one
 * JSON line (python version, torch version or the import error, device). Used by the sidebar's
 * status and by the CLI before it starts any run.
 */
import { execFile } from 'node:child_process';
import { delimiter } from 'node:path';
import { z } from 'zod';
import { pythonHelperDir } from '../paths';

export const runtimeStatusSchema = z.object({
  python: z.string(),
  executable: z.string(),
  torch: z.string().nullable(),
  numpy: z.string().nullable(),
  /** Why torch or numpy did not import, one line. */
  missing: z.string().nullable(),
  device: z.string(),
  deviceReason: z.string(),
});
export type RuntimeStatus = z.infer<typeof runtimeStatusSchema>;

export type RuntimeCheck = { ok: true; status: RuntimeStatus } | { ok: false; reason: string };

/** How to install torch in that environment: one line, for messages. */
export function installHint(executable: string): string {
  return `install PyTorch in that environment: ${executable} -m pip install torch numpy (Debian/Ubuntu system Python: apt-get install python3-torch python3-numpy)`;
}

export function checkRuntime(executable: string, device: 'auto' | 'cpu' | 'cuda' = 'auto', timeoutMs = 60_000): Promise<RuntimeCheck> {
  return new Promise((resolve) => {
    execFile(
      executable,
      ['-m', 'initlens_probe', '--status', '--device', device],
      { env: { ...process.env, PYTHONPATH: [pythonHelperDir(), process.env.PYTHONPATH].filter(Boolean).join(delimiter) }, timeout: timeoutMs, windowsHide: true },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        if (line.startsWith('{')) {
          try {
            const parsed = runtimeStatusSchema.safeParse(JSON.parse(line));
            if (parsed.success) {
              resolve({ ok: true, status: parsed.data });
              return;
            }
          } catch {
            // fall through
          }
        }
        const code = (err as NodeJS.ErrnoException | null)?.code;
        if (code === 'ENOENT') resolve({ ok: false, reason: `Python not found: ${executable}` });
        else resolve({ ok: false, reason: `${executable} could not run InitLens' helper: ${(stderr.trim().split('\n').pop() ?? err?.message ?? 'no output').slice(0, 200)}` });
      },
    );
  });
}
