import { describe, expect, it } from 'vitest';
import { bar, nextStep, phaseLine, planSteps } from './progress.ts';

describe('progress', () => {
  it('fills a bar in proportion, never past its width', () => {
    expect(bar(0, 10, 10)).toBe('░'.repeat(10));
    expect(bar(5, 10, 10)).toBe('█'.repeat(5) + '░'.repeat(5));
    expect(bar(99, 10, 10)).toBe('█'.repeat(10));
  });

  it('names the phase the load is in and counts its own seconds', () => {
    const phases = [
      { name: 'warm-up', seconds: 2 },
      { name: 'measured', seconds: 10 },
    ];
    expect(phaseLine('tickr c=100', phases, 1)).toMatch(/warm-up .* 1\/2 s$/);
    expect(phaseLine('tickr c=100', phases, 5)).toMatch(/measured .* 3\/10 s$/);
    expect(phaseLine('tickr c=100', phases, 60)).toMatch(/measured .* 10\/10 s$/);
  });

  it('numbers the steps of a planned run', () => {
    planSteps(3);
    expect([nextStep(), nextStep(), nextStep(), nextStep()]).toEqual(['[1/3] ', '[2/3] ', '[3/3] ', '[3/3] ']);
    planSteps(0);
    expect(nextStep()).toBe('');
  });
});
