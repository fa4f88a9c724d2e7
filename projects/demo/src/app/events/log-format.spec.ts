import { clockTime, compactJson } from './log-format';

describe('clockTime', () => {
  it('pads hours, minutes, seconds and milliseconds', () => {
    expect(clockTime(new Date(2026, 0, 1, 9, 5, 3, 7))).toBe('09:05:03.007');
    expect(clockTime(new Date(2026, 0, 1, 23, 59, 59, 999))).toBe('23:59:59.999');
  });
});

describe('compactJson', () => {
  it('renders payloads on one line', () => {
    expect(compactJson({ message: 'hi', to: ['a'] })).toBe('{"message":"hi","to":["a"]}');
    expect(compactJson('text')).toBe('"text"');
  });

  it('falls back to text for what JSON cannot render', () => {
    expect(compactJson(undefined)).toBe('undefined');
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    expect(compactJson(loop)).toBe('[object Object]');
  });
});
