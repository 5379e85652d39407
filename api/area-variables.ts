// What an analyst can ask about per area: incident counts and rates in a window, the factors
// uploaded with the areas, and dynamic factors the stream provides (cameras, reads, panic
// alarms), so "does camera coverage go with fewer offences?" is one query.

import { badInput } from '../engine/errors.js';
import type { Placement } from '../engine/geo/placement.js';
import type { Area } from '../engine/domain/places.js';
import type { Database } from '../engine/store/database.js';
import { incidentsPerArea, panicAlarmsByArea, readsPerDayByArea } from '../engine/store/analytics-query.js';

export const DYNAMIC_FACTORS = ['cameras', 'readsPerDay', 'panicAlarms'] as const;
type Dynamic = (typeof DYNAMIC_FACTORS)[number];

export type Variable =
  | { kind: 'incidents'; label: string }
  | { kind: 'incidentRate'; label: string }
  | { kind: 'dynamic'; name: Dynamic; label: string }
  | { kind: 'property'; name: string; label: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** `incidents`, `incidentRate`, `cameras`, `readsPerDay`, `panicAlarms`, `property:NAME` or a bare NAME. */
export function parseVariable(text: string, param: string): Variable {
  if (text === 'incidents' || text === 'incidentRate') return { kind: text, label: text };
  if ((DYNAMIC_FACTORS as readonly string[]).includes(text)) return { kind: 'dynamic', name: text as Dynamic, label: text };
  const name = text.startsWith('property:') ? text.slice(9) : text;
  if (!NAME.test(name))
    throw badInput(
      `querystring.${param}: '${text.slice(0, 40)}' is not a variable (incidents, incidentRate, ${DYNAMIC_FACTORS.join(', ')}, property:NAME)`,
    );
  return { kind: 'property', name, label: name };
}

export interface VariableContext {
  db: Database;
  areas: readonly Area[];
  placement: Placement;
  from: number;
  to: number;
  type?: string;
}

/** One value per area, in the order of `ctx.areas`; a missing factor is an error naming it. */
export async function valuesOf(v: Variable, param: string, ctx: VariableContext): Promise<number[]> {
  const { areas } = ctx;
  switch (v.kind) {
    case 'incidents':
    case 'incidentRate': {
      const counts = await incidentsPerArea(ctx.db, { from: ctx.from, to: ctx.to, type: ctx.type });
      if (v.kind === 'incidents') return areas.map((a) => counts.get(a.id) ?? 0);
      return areas.map((a) => {
        const population = a.factors.population;
        if (!(population > 0))
          throw badInput(
            `querystring.${param}: incidentRate needs a positive 'population' factor, and area '${a.id}' has ${population ?? 'none'}`,
          );
        return ((counts.get(a.id) ?? 0) / population) * 1000;
      });
    }
    case 'dynamic': {
      if (v.name === 'cameras') {
        const perArea = new Map<string, number>();
        for (const c of ctx.placement.cameras()) if (c.area) perArea.set(c.area, (perArea.get(c.area) ?? 0) + 1);
        return areas.map((a) => perArea.get(a.id) ?? 0);
      }
      const m =
        v.name === 'readsPerDay' ? await readsPerDayByArea(ctx.db, ctx.from, ctx.to) : await panicAlarmsByArea(ctx.db, ctx.from, ctx.to);
      return areas.map((a) => m.get(a.id) ?? 0);
    }
    case 'property':
      return areas.map((a) => {
        const x = a.factors[v.name];
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          throw badInput(`querystring.${param}: area '${a.id}' has no numeric factor '${v.name}'`);
        }
        return x;
      });
  }
}
