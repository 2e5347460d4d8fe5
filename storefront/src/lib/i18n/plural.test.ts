import { describe, expect, it } from 'vitest';
import { translator } from './index.ts';

describe('plural forms', () => {
  it('Arabic takes the six forms of Intl.PluralRules: zero, one, two, few, many, other', () => {
    const t = translator('ar');
    const stock = (n: number) => t('queue.stock', { count: n });
    expect(stock(0)).toBe('لم تتبقَّ أي تذكرة');
    expect(stock(1)).toBe('تبقّت تذكرة واحدة');
    expect(stock(2)).toBe('تبقّت تذكرتان');
    expect(stock(3)).toBe('تبقّت 3 تذاكر');
    expect(stock(10)).toBe('تبقّت 10 تذاكر');
    expect(stock(11)).toBe('تبقّت 11 تذكرة');
    expect(stock(100)).toBe('تبقّت 100 تذكرة');
    expect(t('queue.ahead', { count: 2 })).toBe('شخصان أمامك');
    expect(t('queue.ahead', { count: 5 })).toBe('5 أشخاص أمامك');
  });

  it('reads a number already formatted for display, and puts it back as given', () => {
    expect(translator('fr')('queue.stock', { count: '1 234' })).toBe('Encore 1 234 billets');
    expect(translator('en')('queue.stock', { count: '1' })).toBe('1 ticket left');
    expect(translator('en')('event.limit', { count: 4 })).toBe('Up to 4 tickets per person.');
    expect(translator('en')('event.limit', { count: 1 })).toBe('Up to 1 ticket per person.');
    expect(translator('fr')('scan.synced', { count: 1, conflicts: 0 })).toBe('1 scan hors ligne synchronisé ; 0 conflit.');
  });

  it('leaves a plain {name} as the value, and an unknown one as written', () => {
    expect(translator('en')('queue.since', { time: '21:04 UTC' })).toBe('In line since 21:04 UTC');
    expect(translator('en')('queue.since', {})).toBe('In line since {time}');
  });
});
