/**
 * Where a Python file defines PyTorch models the runner can build: nn.Module subclasses,
 * module-level nn.Sequential models, and builder functions that make one — also models the
 * static parser cannot rebuild (loops, comprehensions, custom layers), since the runner does not
 * read the code, it runs it. Pure: text in, sites out.
 */

export interface TorchModelSite {
  /** Class, variable or function name: what `FILE:NAME` names. */
  name: string;
  kind: 'class' | 'sequential' | 'builder';
  /** 0-based line of the definition. */
  line: number;
}

const CLASS = /^class\s+([A-Za-z_]\w*)\s*\(([^)]*)\)\s*:/;
const SEQUENTIAL = /^([A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(?:torch\.)?(?:nn\.)?Sequential\s*\(/;
const DEF = /^def\s+([A-Za-z_]\w*)\s*\(/;
const MODULE_BASE = /(^|[\s,.])(Module|Sequential|ModuleList)\s*($|,)/;

function mentionsTorch(text: string): boolean {
  return /^\s*(import\s+torch|from\s+torch[\s.])/m.test(text);
}

export function findTorchModels(text: string): TorchModelSite[] {
  if (!mentionsTorch(text)) return [];
  const lines = text.split(/\r?\n/);
  const sites: TorchModelSite[] = [];
  const moduleClasses = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const cls = CLASS.exec(line);
    if (cls) {
      const bases = cls[2].split(',').map((b) => b.trim());
      if (bases.some((b) => MODULE_BASE.test(b) || moduleClasses.has(b))) {
        moduleClasses.add(cls[1]);
        sites.push({ name: cls[1], kind: 'class', line: i });
      }
      continue;
    }
    const seq = SEQUENTIAL.exec(line);
    if (seq) {
      sites.push({ name: seq[1], kind: 'sequential', line: i });
      continue;
    }
    const def = DEF.exec(line);
    if (def) {
      // A builder: its body (the indented lines that follow) makes a Sequential or a model class.
      let body = '';
      for (let j = i + 1; j < lines.length && (lines[j].trim() === '' || /^\s/.test(lines[j])); j++) body += lines[j] + '\n';
      const makes = /\bSequential\s*\(/.test(body) || [...moduleClasses].some((c) => new RegExp(`\\breturn\\s+${c}\\s*\\(`).test(body));
      if (makes) sites.push({ name: def[1], kind: 'builder', line: i });
    }
  }
  return sites;
}
