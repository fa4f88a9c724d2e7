import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component, EnvironmentInjector, createEnvironmentInjector } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeBackandSocket, provideBackandTesting } from 'ngx-backand/testing';
import { injectBackandEvent } from './inject-backand';
import { injectBackandList } from './live-list';

interface Item {
  id: number;
  name: string;
}

@Component({
  selector: 'bk-banner',
  template: `<p>{{ message()?.text ?? '-' }}</p>
    <ul>
      @for (item of items(); track item.id) {
        <li>{{ item.name }}</li>
      }
    </ul>`,
})
class Banner {
  readonly message = injectBackandEvent<{ text: string }>('broadcast');
  readonly items = injectBackandList<Item>('items');
}

function setup() {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideBackandTesting({ apiUrl: 'http://api.test' }),
    ],
  });
  return { fake: TestBed.inject(FakeBackandSocket), http: TestBed.inject(HttpTestingController) };
}

describe('inject helpers', () => {
  it('render the latest event and the live list, and stop with the component', async () => {
    const { fake, http } = setup();
    const fixture = TestBed.createComponent(Banner);
    fixture.autoDetectChanges();
    await fake.whenCreated();
    await fixture.whenStable();
    // The socket's authorization subscribes the list; the server answers with its rows.
    const [subscribe] = fake.sent.filter((e) => e.event === 'liveQuery');
    (subscribe!.args[1] as (a: unknown) => void)({
      ok: true,
      query: 'lq1',
      rows: [{ id: 1, name: 'one' }],
    });
    fake.emit('broadcast', { text: 'hi' });
    fake.emit('liveQuery:delta', {
      query: 'lq1',
      changes: [{ op: 'enter', id: 2, index: 1, row: { id: 2, name: 'two' } }],
    });
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('p')?.textContent).toBe('hi');
    expect(Array.from(element.querySelectorAll('li')).map((li) => li.textContent)).toEqual([
      'one',
      'two',
    ]);

    expect(fake.listenerCount('broadcast')).toBe(1);
    expect(fake.listenerCount('liveQuery:delta')).toBe(1);
    fixture.destroy();
    expect(fake.sent.at(-1)).toEqual({
      event: 'liveQuery:unsubscribe',
      args: [{ query: 'lq1' }, expect.any(Function)],
    });
    for (const event of ['broadcast', 'liveQuery:delta']) {
      expect(fake.listenerCount(event)).toBe(0);
    }
    http.verify();
  });

  it('accept an injector outside an injection context and end with it', async () => {
    const { fake } = setup();
    const child = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const message = injectBackandEvent<number>('tick', { injector: child });
    await fake.whenCreated();
    fake.emit('tick', 1);
    expect(message()).toBe(1);
    child.destroy();
    fake.emit('tick', 2);
    expect(message()).toBe(1);
    expect(fake.listenerCount('tick')).toBe(0);
  });

  it('assert the injection context otherwise', () => {
    setup();
    expect(() => injectBackandEvent('tick')).toThrow(/injectBackandEvent|injection context/);
    expect(() => injectBackandList('items')).toThrow(/injectBackandList|injection context/);
  });
});
