// Optional views that depend on runtime features: the patch-based memory schedule (runtime/patch.ts, through
// buildSchedule's `schedule: 'patch'` option) and a cycle model (none yet). Each is shown only when the runtime
// provides it, so the page never invents numbers.
import type { Graph } from '../models/ir.ts';
import { buildSchedule, type Schedule } from '../runtime/schedule.ts';
import type { TimelineInfo } from './protocol.ts';

type PatchAware = Schedule & { kind?: string; summary?: { patches?: [number, number] | null; split?: { name: string } | null; overheadRatio?: number; reason?: string } };

/**
 * The patch-based schedule's timeline (live bytes per step, tile copies included), or a reason why there is
 * none: the runtime has no patch scheduler, or found no patch schedule smaller than layer by layer.
 */
export function patchTimeline(graph: Graph): { timeline: TimelineInfo | null; note: string } {
  let fallback = '';
  let s: PatchAware;
  try {
    s = buildSchedule(graph, { schedule: 'patch', onFallback: (r: string) => { fallback = r; } } as Parameters<typeof buildSchedule>[1]) as PatchAware;
  } catch (e) {
    return { timeline: null, note: `Patch-based schedule: not available for this model (${(e as Error).message}).` };
  }
  if (s.kind !== 'patch') {
    return { timeline: null, note: s.kind === undefined ? 'Patch-based schedule: not offered by this build of the runtime.' : `Patch-based schedule: none for this model (${fallback || s.summary?.reason || 'layer by layer is as small'}).` };
  }
  const grid = s.summary?.patches ? `${s.summary.patches[0]}×${s.summary.patches[1]} patches` : 'patches';
  const split = s.summary?.split ? ` up to '${s.summary.split.name}'` : '';
  const extra = s.summary?.overheadRatio !== undefined ? `, ${(100 * s.summary.overheadRatio).toFixed(1)}% extra MACs` : '';
  return {
    timeline: {
      label: `patch-based (${grid}${split}${extra})`,
      liveBytes: s.steps.map((st) => st.liveBytes),
      highWater: s.steps.map((st) => st.arenaHighWater),
      points: s.steps.map((st) => `${st.index} ${st.op} ${st.name}`),
      arenaBytes: s.arenaBytes,
    },
    note: '',
  };
}

/** Per-step cycle estimates, when the simulator has a cycle model (it has none yet). */
export function latencyEstimate(_schedule: Schedule): { cycles: number[]; source: string } | null {
  return null;
}
