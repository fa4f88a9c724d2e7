import { describeRoom } from './socket-list';

describe('describeRoom', () => {
  it('puts the rooms of an app in words', () => {
    expect(describeRoom('app:demo', 'demo')).toBe('all');
    expect(describeRoom('role:demo:User', 'demo')).toBe('role User');
    expect(describeRoom('user:demo:ann@x.test', 'demo')).toBe('user ann@x.test');
    expect(describeRoom('role-user:demo:User:ann@x.test', 'demo')).toBe(
      'own rows of ann@x.test as User',
    );
  });

  it('leaves other rooms as they are named', () => {
    expect(describeRoom('live:lq1', 'demo')).toBe('live:lq1');
    expect(describeRoom('role:other:User', 'demo')).toBe('role:other:User');
  });
});
