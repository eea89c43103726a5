/**
 * A kernel thread (worker_threads entry, bundled as dist/kernelThread.js): runs parts of products
 * (chunks of rows) on arenas' shared memories until told to stop. See threads.ts for the protocol.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { WasmArena, decodeMatmul, decodeSpmm, matmulRows, spmmRows } from './matmul';
import { BOUND_ARENAS, Op, helperSide, serve } from './threads';
import type { ArenaBinding } from './threads';

const { control, counters, port } = workerData as { control: SharedArrayBuffer; counters: SharedArrayBuffer; port: MessagePort };
const arenas: { id: number; arena: WasmArena }[] = [];

/** The arena with this id, binding the ones posted meanwhile (the same oldest-first list as the caller's). */
function arenaFor(id: number): WasmArena {
  for (;;) {
    const found = arenas.find((a) => a.id === id);
    if (found) return found.arena;
    const next = receiveMessageOnPort(port);
    if (!next) throw new Error(`kernel thread: arena ${id} was never bound`);
    const binding = next.message as ArenaBinding;
    arenas.push({ id: binding.id, arena: WasmArena.attach(binding.module, binding.memory) });
    if (arenas.length > BOUND_ARENAS) arenas.shift();
  }
}

serve(helperSide(control, counters), (op, id, args, r0, r1) => {
  const arena = arenaFor(id);
  if (op === Op.Matmul) arena.matmul(matmulRows(decodeMatmul(args), r0, r1));
  else if (op === Op.Spmm) arena.spmm(spmmRows(decodeSpmm(args), r0, r1));
  else throw new Error(`kernel thread: unknown operation ${op}`);
});
port.close();
