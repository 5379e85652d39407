// Crime analytics for analysts: trends, hotspots (Getis-Ord Gi*), global Moran's I, factor
// models and the near-repeat Knox test. SQL fetches the inputs; engine/analytics computes.
// Every answer is also CSV (`format=csv`, audited as an export).

import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { areaWeights, parseWeights } from '../../engine/analytics/area-weights.js';
import { parseVariable, valuesOf, type VariableContext } from '../area-variables.js';
import { benjaminiHochberg, confidenceBin, localGStar } from '../../engine/analytics/getis-ord.js';
import { incidentGrid } from '../../engine/analytics/incident-grid.js';
import { DegenerateDataError, globalMoran, moranScatter } from '../../engine/analytics/moran.js';
import { negativeBinomial, ols, poisson } from '../../engine/analytics/regression.js';
import { bucketChanges, hourOfWeekChiSquare, mannKendall } from '../../engine/analytics/trend-tests.js';
import { projectToMetres, toWeights, type SpatialWeights } from '../../engine/analytics/weights.js';
import { badInput } from '../../engine/errors.js';
import { pointFeature, rowsOnAreas } from '../../engine/geo/feature-collection.js';
import type { Area } from '../../engine/domain/places.js';
import { listAreas } from '../../engine/store/catalog.js';
import { hourOfWeek, incidentPoints, incidentSeries, type TrendGroup } from '../../engine/store/analytics-query.js';
import { answer } from '../answer.js';
import { checkSeriesLength, timeWindow, timeWindowSchema } from '../params.js';

const common = {
  ...timeWindowSchema,
  type: { type: 'string', minLength: 1, maxLength: 64, description: 'incident type filter' },
  weights: { type: 'string', maxLength: 40, default: 'queen', description: 'queen, rook, knn:K or distance:METRES' },
  style: { enum: ['W', 'B'], default: 'W', description: 'W row-standardised, B binary' },
  format: { enum: ['json', 'csv'], default: 'json' },
} as const;

/** For the answers that can be drawn: one feature per area (or grid cell) with its row. */
const drawable = { format: { enum: ['json', 'csv', 'geojson'], default: 'json' } } as const;

const MIN_AREAS = 3;

/** What every area analysis takes (the `common` parameters). */
interface Common {
  from?: string;
  to?: string;
  type?: string;
  weights: string;
  style: 'W' | 'B';
}

// Numeric failures of the data (a constant variable, a singular design, bad bands) are thrown
// by engine/analytics as the engine's input errors: they answer 400 as they are.
export const analyticsRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { db, config, placement } = app.deps;

  async function areaContext(q: Common, needAreas: boolean): Promise<VariableContext> {
    const { from, to } = timeWindow(q, config.timezone);
    const areas = await listAreas(db);
    if (needAreas && areas.length < MIN_AREAS) {
      throw badInput(`at least ${MIN_AREAS} areas are needed (PUT /api/v1/areas); ${areas.length} are loaded`);
    }
    return { db, areas, placement, from, to, type: q.type };
  }

  function weightsFor(areas: readonly Area[], q: Common) {
    return areaWeights(areas, parseWeights(q.weights), q.style);
  }

  app.get(
    '/analytics/autocorrelation',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: "Global Moran's I of a variable over the areas",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...common,
            ...drawable,
            variable: { type: 'string', maxLength: 80, default: 'incidents' },
            permutations: { type: 'integer', minimum: 1, maximum: 9999 },
            seed: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1, default: 1 },
          },
        } as const,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const variable = parseVariable(q.variable, 'variable');
      const ctx = await areaContext(q, true);
      const x = await valuesOf(variable, 'variable', ctx);
      const w = weightsFor(ctx.areas, q);
      const m = globalMoran(x, w, { permutations: q.permutations, seed: q.seed });
      const row = {
        variable: variable.label,
        n: ctx.areas.length,
        weights: q.weights,
        style: q.style,
        ...m,
        islands: w.islands.map((i) => ctx.areas[i].id),
      };
      // Drawn, each area is its point of the Moran scatterplot: where the clustering is.
      const areaRows = () => moranScatter(x, w).map((point, i) => ({ area: ctx.areas[i].id, ...point }) as Record<string, unknown>);
      return answer(request, reply, 'autocorrelation', { ...row, rows: [row] }, () =>
        rowsOnAreas(areaRows(), ctx.areas, (r) => String(r.area)),
      );
    },
  );

  app.get(
    '/analytics/hotspots',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'Getis-Ord Gi* per area (or per grid cell of incidents when no areas are loaded)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...common,
            ...drawable,
            variable: { type: 'string', maxLength: 80, default: 'incidents' },
            fdr: { type: 'boolean', default: true },
          },
        } as const,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const variable = parseVariable(q.variable, 'variable');
      const ctx = await areaContext(q, false);
      let labels: string[];
      let x: number[];
      let w: SpatialWeights;
      let grid: Record<string, unknown> | null = null;
      let extra: Array<Record<string, unknown>> | null = null;
      if (ctx.areas.length === 0) {
        // No areas: a regular grid over the incidents, cell size chosen from the data.
        if (variable.kind !== 'incidents')
          throw badInput(`querystring.variable '${variable.label}' needs areas; without areas only 'incidents' is mapped on a grid`);
        const points = await incidentPoints(db, { from: ctx.from, to: ctx.to, type: q.type });
        if (points.length < MIN_AREAS)
          throw badInput(`at least ${MIN_AREAS} incidents are needed for a grid; ${points.length} are in the window`);
        const g = incidentGrid(points);
        labels = g.cells.map((c) => c.id);
        x = g.cells.map((c) => c.count);
        w = toWeights(g.neighbours, q.style);
        grid = { cellMetres: g.cellMetres, columns: g.columns, rows: g.rowsCount, how: g.how };
        extra = g.cells.map((c) => ({ lon: c.lon, lat: c.lat }));
      } else {
        if (ctx.areas.length < MIN_AREAS) throw badInput(`at least ${MIN_AREAS} areas are needed; ${ctx.areas.length} are loaded`);
        labels = ctx.areas.map((a) => a.id);
        x = await valuesOf(variable, 'variable', ctx);
        w = weightsFor(ctx.areas, q);
      }
      const g = localGStar(x, w);
      const pFdr = benjaminiHochberg(g.map((r) => r.p));
      const rows = g.map((r, i) => ({
        [grid ? 'cell' : 'area']: labels[i],
        ...(extra ? extra[i] : {}),
        value: x[i],
        z: r.z,
        p: r.p,
        pFdr: pFdr[i],
        bin: confidenceBin(r.z, r.p, q.fdr, pFdr[i]),
      }));
      const body = {
        rows,
        variable: variable.label,
        weights: grid ? 'queen (grid)' : q.weights,
        style: q.style,
        fdr: q.fdr,
        ...(grid ? { grid } : {}),
      };
      // A grid cell is drawn as the point at its centre; an area with its own shape.
      return answer(request, reply, 'hotspots', body, () =>
        grid
          ? rows.map((r, i) => pointFeature(labels[i], Number(extra?.[i].lon), Number(extra?.[i].lat), r))
          : rowsOnAreas(rows, ctx.areas, (r) => String(r.area)),
      );
    },
  );

  app.get(
    '/analytics/factors',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'Regression of a response on area factors (OLS, Poisson, negative binomial), with the residuals’ Moran’s I',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['factors'],
          properties: {
            ...common,
            response: { type: 'string', maxLength: 80, default: 'incidents' },
            factors: { type: 'string', minLength: 1, maxLength: 800, description: 'comma-separated variables' },
            model: { enum: ['ols', 'poisson', 'negbin'], default: 'ols' },
            exposure: { type: 'string', maxLength: 80, description: 'count models: a variable whose log is the offset (e.g. population)' },
          },
        } as const,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const response = parseVariable(q.response, 'response');
      const factorNames = q.factors
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (factorNames.length === 0) throw badInput('querystring.factors must name at least one variable');
      if (new Set(factorNames).size !== factorNames.length) throw badInput('querystring.factors names a variable twice');
      const factors = factorNames.map((f) => parseVariable(f, 'factors'));
      const ctx = await areaContext(q, true);
      const y = await valuesOf(response, 'response', ctx);
      const X = { names: factors.map((f) => f.label), columns: await Promise.all(factors.map((f) => valuesOf(f, 'factors', ctx))) };
      let offset: number[] | undefined;
      if (q.exposure !== undefined) {
        if (q.model === 'ols') throw badInput('querystring.exposure applies to the count models (poisson, negbin)');
        const e = await valuesOf(parseVariable(q.exposure, 'exposure'), 'exposure', ctx);
        e.forEach((v, i) => {
          if (!(v > 0)) throw badInput(`querystring.exposure must be positive in every area; area '${ctx.areas[i].id}' has ${v}`);
        });
        offset = e.map(Math.log);
      }
      const named = { name: response.label, values: y };
      const model =
        q.model === 'ols' ? ols(named, X) : q.model === 'poisson' ? poisson(named, X, { offset }) : negativeBinomial(named, X, { offset });
      // Residual structure: a model that leaves spatial clustering behind shows it here
      // (response residuals y − fitted, so OLS and the count models read alike).
      const residuals = y.map((v, i) => v - model.fitted[i]);
      let residualAutocorrelation: Record<string, unknown>;
      try {
        const m = globalMoran(residuals, weightsFor(ctx.areas, q));
        residualAutocorrelation = { I: m.I, z: m.z, p: m.p };
      } catch (err) {
        if (!(err instanceof DegenerateDataError)) throw err;
        residualAutocorrelation = { I: null, z: null, p: null, note: err.message };
      }
      return answer(request, reply, 'factors', {
        rows: model.rows as unknown as Record<string, unknown>[],
        model: q.model,
        response: response.label,
        fit: model.fit as unknown as Record<string, unknown>,
        residualAutocorrelation,
      });
    },
  );

  app.get(
    '/analytics/trends',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'Incident counts per bucket with change, the hour-of-week profile (χ²) and the Mann–Kendall trend test',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...common,
            bucket: { enum: ['day', 'week', 'month'], default: 'day' },
            groupBy: { enum: ['type', 'area'] },
            area: { type: 'string', minLength: 1, maxLength: 128 },
          },
        } as const,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const { from, to } = timeWindow(q, config.timezone);
      checkSeriesLength({ from, to }, q.bucket);
      const f = { from, to, type: q.type, area: q.area };
      const group: TrendGroup = q.groupBy ?? null;
      const series = await incidentSeries(db, f, q.bucket, group);
      const byKey = new Map<string, Array<{ bucket: number; count: number }>>();
      for (const r of series) (byKey.get(r.key) ?? byKey.set(r.key, []).get(r.key)!).push(r);
      const rows: Record<string, unknown>[] = [];
      const trend: Record<string, unknown>[] = [];
      for (const [key, points] of byKey) {
        const changes = bucketChanges(points.map((p) => p.count));
        points.forEach((p, i) =>
          rows.push({
            bucket: new Date(p.bucket).toISOString(),
            ...(group ? { [group]: key } : {}),
            count: p.count,
            change: changes[i].change,
          }),
        );
        trend.push({
          ...(group ? { [group]: key } : {}),
          ...(points.length >= 3 ? mannKendall(points.map((p) => p.count)) : { note: 'fewer than 3 buckets' }),
        });
      }
      const counts = await hourOfWeek(db, f);
      const total = counts.reduce((s, c) => s + c, 0);
      const hourOfWeekProfile = { counts, total, ...(total > 0 ? hourOfWeekChiSquare(counts) : { chiSquare: null, df: 167, p: null }) };
      return answer(request, reply, 'trends', {
        rows,
        bucket: q.bucket,
        hourOfWeek: hourOfWeekProfile,
        mannKendall: group ? trend : (trend[0] ?? null),
      });
    },
  );

  app.get(
    '/analytics/near-repeat',
    {
      config: { access: ['analyst'] },
      schema: {
        summary: 'Knox test of near repeats over distance × time bands, with Monte Carlo p-values',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...common,
            distanceBands: { type: 'string', maxLength: 200, default: '1,100,200,300', description: 'upper edges in metres' },
            timeBands: { type: 'string', maxLength: 200, default: '7,14,21', description: 'upper edges in days' },
            distance: { enum: ['manhattan', 'euclidean'], default: 'manhattan' },
            iterations: { type: 'integer', minimum: 1, maximum: 9999, default: 99 },
            seed: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1, default: 1 },
          },
        } as const,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const bands = (text: string, name: string) =>
        text.split(',').map((s) => {
          const v = Number(s.trim());
          if (s.trim() === '' || !Number.isFinite(v)) throw badInput(`querystring.${name}: '${s.slice(0, 20)}' is not a number`);
          return v;
        });
      const distanceBands = bands(q.distanceBands, 'distanceBands');
      const timeBands = bands(q.timeBands, 'timeBands');
      const { from, to } = timeWindow(q, config.timezone);
      const points = await incidentPoints(db, { from, to, type: q.type });
      if (points.length < 2) throw badInput(`at least 2 incidents are needed in the window; ${points.length} are`);
      const xy = projectToMetres(points.map((p) => [p.lon, p.lat]));
      const result = await app.deps.knox.run(
        { x: xy.map((p) => p[0]), y: xy.map((p) => p[1]), day: points.map((p) => p.day) },
        { distanceBands, timeBands, distance: q.distance, iterations: q.iterations, seed: q.seed },
      );
      return answer(request, reply, 'near-repeat', {
        ...result,
        n: points.length,
        distance: q.distance,
        iterations: q.iterations,
        seed: q.seed,
      } as Record<string, unknown> & { rows: Record<string, unknown>[] });
    },
  );
};
