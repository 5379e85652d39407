// areasFromGeoJson (api/routes/areas.ts): a FeatureCollection → areas with ids, names and
// numeric factors; every refusal is a 400 naming the feature and the field.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { areasFromGeoJson } from '../../api/routes/areas.js';
import { VigilError } from '../../engine/errors.js';
import { thrown } from '../helpers/thrown.js';

type FC = Parameters<typeof areasFromGeoJson>[0];
type Feature = FC['features'][number];

const ring = (x: number) => [
  [x, 0],
  [x + 1, 0],
  [x + 1, 1],
  [x, 1],
  [x, 0],
];
const feature = (properties: Record<string, unknown> | null | undefined, x = 0): Feature => ({
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: [ring(x)] },
  ...(properties === undefined ? {} : { properties }),
});
const fc = (...features: Feature[]): FC => ({ type: 'FeatureCollection', features });

const refusal = (fn: () => unknown) => thrown(fn, VigilError);

describe('areasFromGeoJson', () => {
  it('takes ids from string or number properties.id', () => {
    const areas = areasFromGeoJson(fc(feature({ id: 'mahalla-12' }), feature({ id: 7 }, 2), feature({ id: 0 }, 4)));
    expect(areas.map((a) => a.id)).toEqual(['mahalla-12', '7', '0']);
  });

  it('keeps the geometry and the order of the features', () => {
    const f = feature({ id: 'a' });
    const [area] = areasFromGeoJson(fc(f));
    expect(area.geometry).toEqual({ type: 'Polygon', coordinates: [ring(0)] });
  });

  it('takes the name from properties.name, else null', () => {
    const areas = areasFromGeoJson(fc(feature({ id: 'a', name: 'Chilonzor' }), feature({ id: 'b' }, 2), feature({ id: 'c', name: 12 }, 4)));
    expect(areas.map((a) => a.name)).toEqual(['Chilonzor', null, null]);
  });

  it('makes numeric properties factors and leaves the others out', () => {
    const [area] = areasFromGeoJson(
      fc(
        feature({
          id: 5,
          name: 'Old town',
          population: 12500,
          unemployment: 0.071,
          negative: -3,
          zero: 0,
          code: '0042',
          flag: true,
          nothing: null,
          list: [1, 2],
          nested: { a: 1 },
        }),
      ),
    );
    expect(area).toEqual({
      id: '5',
      name: 'Old town',
      geometry: { type: 'Polygon', coordinates: [ring(0)] },
      factors: { population: 12500, unemployment: 0.071, negative: -3, zero: 0 },
    });
  });

  it('does not make a numeric id a factor', () => {
    expect(areasFromGeoJson(fc(feature({ id: 9, pop: 1 })))[0].factors).toEqual({ pop: 1 });
  });

  it('refuses a duplicate id, naming the feature and the id', () => {
    const e = refusal(() => areasFromGeoJson(fc(feature({ id: 'a' }), feature({ id: 'b' }, 2), feature({ id: 'a' }, 4))));
    expect(e.statusCode).toBe(400);
    expect(e.message).toBe("body.features[2].properties.id 'a' appears twice");
  });

  it('refuses a number id equal to an earlier string id', () => {
    expect(refusal(() => areasFromGeoJson(fc(feature({ id: '7' }), feature({ id: 7 }, 2)))).message).toBe(
      "body.features[1].properties.id '7' appears twice",
    );
  });

  it('refuses a missing id, naming body.features[i].properties.id', () => {
    for (const props of [{ name: 'x' }, null, undefined, { id: null }, { id: true }, { id: ['a'] }, { id: { v: 1 } }]) {
      const e = refusal(() => areasFromGeoJson(fc(feature({ id: 'ok' }), feature(props, 2))));
      expect(e.statusCode, JSON.stringify(props)).toBe(400);
      expect(e.message, JSON.stringify(props)).toBe('body.features[1].properties.id is required (string or number)');
    }
  });

  it('refuses an empty or too long id, naming it', () => {
    expect(refusal(() => areasFromGeoJson(fc(feature({ id: '' })))).message).toBe(
      'body.features[0].properties.id must be 1–128 characters',
    );
    expect(refusal(() => areasFromGeoJson(fc(feature({ id: 'x'.repeat(129) })))).message).toBe(
      'body.features[0].properties.id must be 1–128 characters',
    );
    expect(areasFromGeoJson(fc(feature({ id: 'x'.repeat(128) })))[0].id).toHaveLength(128);
  });

  it('refuses a bad geometry with a 400 naming its path', () => {
    const bad: Feature = {
      type: 'Feature',
      properties: { id: 'b' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 'x'],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    };
    const e = refusal(() => areasFromGeoJson(fc(feature({ id: 'a' }), bad)));
    expect(e.statusCode).toBe(400);
    expect(e.message).toBe('body.features[1].geometry.coordinates[0][1]: must be [x, y] numbers');
    const point: Feature = { type: 'Feature', properties: { id: 'p' }, geometry: { type: 'Point', coordinates: [0, 0] } };
    expect(refusal(() => areasFromGeoJson(fc(point))).message).toBe(
      'body.features[0].geometry.type: must be Polygon or MultiPolygon, got "Point"',
    );
  });

  it('accepts an empty collection', () => {
    expect(areasFromGeoJson(fc())).toEqual([]);
  });

  it('reads the Columbus neighbourhoods: 49 areas, numeric ids, every other property a factor', () => {
    const columbus = JSON.parse(readFileSync(new URL('../fixtures/columbus.geojson', import.meta.url), 'utf8')) as FC;
    const areas = areasFromGeoJson(columbus);
    expect(areas).toHaveLength(49);
    expect(areas[0].id).toBe('5');
    expect(areas[0].name).toBeNull();
    expect(Object.keys(areas[0].factors).sort()).toEqual(['CRIME', 'DISCBD', 'HOVAL', 'INC', 'OPEN', 'PLUMB', 'X', 'Y']);
    expect(areas[0].factors.CRIME).toBeCloseTo(15.72598, 5);
    expect(new Set(areas.map((a) => a.id)).size).toBe(49);
  });
});
