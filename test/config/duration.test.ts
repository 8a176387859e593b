import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../src/config/did-you-mean.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { substituteEnv } from '../../src/config/env-substitution.js';

describe('durations', () => {
  it.each([
    ['10', true, 10_000],
    ['0.25', true, 250],
    ['500ms', false, 500],
    ['10s', false, 10_000],
    ['1m', false, 60_000],
    ['1h30m', false, 5_400_000],
    ['2d', false, 172_800_000],
  ] as const)('%s → %d ms', (text, seconds, ms) => {
    expect(parseDuration(text, seconds)).toBe(ms);
    expect(parseDuration(formatDuration(ms), false)).toBe(ms);
  });

  it.each([
    ['-1', true],
    ['0.0001', true],
    ['10 s', false],
    ['1.5s', false],
    ['s', false],
    ['', false],
    ['10x', false],
  ] as const)('refuses %j', (text, seconds) => {
    expect(parseDuration(text, seconds)).toBeUndefined();
  });
});

describe('environment substitution', () => {
  it('names the first unset variable', () => {
    expect(substituteEnv('${A}-${B}', { A: 'x' })).toEqual({ ok: false, missing: 'B' });
  });

  it('does not substitute inside a substituted value', () => {
    expect(substituteEnv('${A}', { A: '${B}', B: 'no' })).toEqual({ ok: true, text: '${B}', substituted: true });
  });
});

describe('did you mean', () => {
  it('suggests the closest key and nothing for far-off words', () => {
    expect(didYouMean('max_open_con', ['max_open_conns', 'max_idle_conns'])).toBe('max_open_conns');
    expect(didYouMean('banana', ['database', 'trading'])).toBeUndefined();
  });
});
