import { describe, expect, it } from 'vitest';
import { ConfigError, parseLoaderConfig } from '../../src/config.js';

describe('parseLoaderConfig', () => {
  it('reads table settings and routes, with defaults', () => {
    expect(
      parseLoaderConfig(
        {
          tables: { events: { keys: ['event_id'], version: 'updated_at' }, clicks: {} },
          routes: [{ prefix: 'partners/', table: 'partner_orders' }],
        },
        'lakeload.config.json',
      ),
    ).toEqual({
      tables: {
        events: { keys: ['event_id'], version: 'updated_at', contract: 'evolve' },
        clicks: { keys: [], contract: 'evolve' },
      },
      rules: [{ prefix: 'partners/', table: 'partner_orders' }],
    });
  });

  it.each([
    [[], /expected a JSON object/],
    [{ table: {} }, /unknown setting "table"; expected "tables" and "routes"/],
    [{ tables: { t: { keys: 'id' } } }, /tables\.t\.keys must be a list of column names/],
    [
      { tables: { t: { contract: 'strict' } } },
      /tables\.t\.contract must be "evolve" or "freeze", got "strict"/,
    ],
    [{ tables: { t: { key: ['id'] } } }, /tables\.t has unknown setting "key"/],
    [{ routes: [{ prefix: 'a/' }] }, /routes\[0\] must be/],
  ])('refuses %j, naming the setting', (value, message) => {
    expect(() => parseLoaderConfig(value, 'lakeload.config.json')).toThrow(ConfigError);
    expect(() => parseLoaderConfig(value, 'lakeload.config.json')).toThrow(message);
  });
});
