import { DEMO_EVENTS, audienceOf } from './event-audience';

describe('audienceOf', () => {
  it('tells emitAll, emitRole and emitUsers events apart', () => {
    expect(audienceOf('broadcast')).toBe('everyone');
    expect(audienceOf('items_updated')).toBe('everyone');
    expect(audienceOf('role_message')).toBe('role');
    expect(audienceOf('user_message')).toBe('user');
  });

  it('calls every automatic <object>.<change> event a data event', () => {
    const data = DEMO_EVENTS.filter((name) => name.includes('.'));
    expect(data.length).toBe(9);
    for (const name of data) expect(audienceOf(name)).toBe('data');
  });
});
