import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseHumanNumber } from '../../plugin/recipe/resolve.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/recipe.schema.json', import.meta.url), 'utf8')) as {
  $defs: { humanCount: { anyOf: Array<{ pattern?: string }> } };
};
const schemaPattern = new RegExp(schema.$defs.humanCount.anyOf.find((b) => b.pattern !== undefined)!.pattern!);

describe('parseHumanNumber', () => {
  // k = 10^3, M = 10^6, G = 10^9 (SI prefixes), worked by hand.
  test.each([
    ['100k', 100_000],
    ['1.5M', 1_500_000],
    ['450M', 450_000_000],
    ['2G', 2_000_000_000],
    ['1e6', 1_000_000],
    ['1_000_000', 1_000_000],
    ['100000', 100_000],
    ['0.5k', 500],
    ['2.25m', 2_250_000],
    ['1T', 1_000_000_000_000],
    [' 20 k ', 20_000],
    ['+3k', 3_000],
    ['1.5e3', 1_500],
  ])('%s → %d', (text, value) => {
    expect(parseHumanNumber(text)).toBe(value);
  });

  test.each(['1X', '', 'k', '1.5.5M', '1__000', '_1000', '1e6k', 'one million', '1,000', '0x10', '1 M M'])('rejects %j', (text) => {
    expect(parseHumanNumber(text)).toBeNull();
  });

  test('the schema pattern accepts exactly the non-negative texts the parser accepts', () => {
    for (const text of ['100k', '1.5M', '450M', '2G', '1e6', '1_000_000', '+3k', ' 20 k ', '1X', '1,000', '1e6k', '1__000', 'k']) {
      expect(schemaPattern.test(text), text).toBe(parseHumanNumber(text) !== null);
    }
  });
});
