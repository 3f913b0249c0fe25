import { describe, expect, test } from 'vitest';
import { closestMatch, editDistance } from '../../plugin/recipe/did-you-mean.js';

describe('did-you-mean', () => {
  test('edit distances worked by hand', () => {
    expect(editDistance('costraints', 'constraints')).toBe(1); // one insertion
    expect(editDistance('sedd', 'seed')).toBe(1); // one transposition
    expect(editDistance('kitten', 'sitting')).toBe(3); // the textbook example
    expect(editDistance('', 'abc')).toBe(3);
  });

  test('suggests close keys, ignores far ones, folds case and separators', () => {
    const keys = ['version', 'name', 'seed', 'description', 'task', 'space', 'constraints', 'generators', 'search', 'evaluation', 'runtime', 'output'];
    expect(closestMatch('costraints', keys)).toBe('constraints');
    expect(closestMatch('serach', keys)).toBe('search');
    expect(closestMatch('banana', keys)).toBeNull();
    expect(closestMatch('batch_size', ['epochs', 'batchSize'])).toBe('batchSize');
    expect(closestMatch('mnsit', ['mnist', 'cifar10'])).toBe('mnist');
  });
});
