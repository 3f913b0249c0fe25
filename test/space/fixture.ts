/** Shared access to the reference fixture (method.md §17.1) for the space tests. */
import { readReferenceFile, type ReferenceSet } from '../../plugin/space/encoding.js';

export const FIXTURE_URL = new URL('../fixtures/reference-architectures.json', import.meta.url);
export const fixture = readReferenceFile(FIXTURE_URL);

export function fixtureSet(name: 'cifar-1m-params' | 'imagenet-450m-flops'): ReferenceSet {
  const set = fixture.sets.find((s) => s.name === name);
  if (!set) throw new Error(`fixture set ${name} missing`);
  return set;
}
