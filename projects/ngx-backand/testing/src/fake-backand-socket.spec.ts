import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { BACKAND_CONFIG, BackandService, BackandSocketService } from 'ngx-backand';
import { FakeBackandSocket } from './fake-backand-socket';
import { provideBackandTesting } from './provide-backand-testing';

describe('provideBackandTesting', () => {
  beforeEach(() =>
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideBackandTesting({ appName: 'demo' }),
      ],
    }),
  );

  it('configures Backand with test defaults', () => {
    expect(TestBed.inject(BACKAND_CONFIG)).toMatchObject({
      appName: 'demo',
      runSocket: true,
      storage: 'memory',
      anonymousToken: 'test-anonymous-token',
    });
  });

  it('lets a test push events and control the connection', async () => {
    const backand = TestBed.inject(BackandService);
    const socket = TestBed.inject(BackandSocketService);
    const fake = TestBed.inject(FakeBackandSocket);
    const seen: unknown[] = [];
    backand.on('items_updated').subscribe((d) => seen.push(d));
    await fake.whenCreated();
    await Promise.resolve();
    expect(fake.logins).toEqual([[null, 'test-anonymous-token', 'demo']]);
    fake.emit('items_updated', { id: 1 });
    expect(seen).toEqual([{ id: 1 }]);
    fake.dropConnection();
    expect(socket.state()).toBe('connecting');
    fake.reconnect();
    expect(socket.state()).toBe('authorized');
    expect(fake.sent.map((e) => e.event)).toEqual(['login', 'login']);
  });
});
