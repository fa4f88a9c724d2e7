import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  EnvironmentInjector,
  createEnvironmentInjector,
  inject,
} from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeBackandSocket, provideBackandTesting } from 'ngx-backand/testing';
import { BackandService } from './backand.service';

@Component({
  selector: 'bk-last-message',
  template: `<p>{{ last }}</p>`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
class LastMessage {
  // A plain field on purpose: the callback form must still refresh the view.
  last = 'none';
  readonly subscription = inject(BackandService).on<{ text: string }>('broadcast', (m) => {
    this.last = m.text;
  });
}

function setup() {
  TestBed.configureTestingModule({
    providers: [provideHttpClient(), provideHttpClientTesting(), provideBackandTesting()],
  });
  return { backand: TestBed.inject(BackandService), fake: TestBed.inject(FakeBackandSocket) };
}

describe('on(event, callback)', () => {
  it('ends with the component that called it in its constructor', async () => {
    const { fake } = setup();
    const fixture = TestBed.createComponent(LastMessage);
    await fake.whenCreated();
    expect(fake.listenerCount('broadcast')).toBe(1);
    fixture.destroy();
    expect(fake.listenerCount('broadcast')).toBe(0);
    expect(fixture.componentInstance.subscription.closed).toBe(true);
  });

  it('updates an OnPush template from a plain field', async () => {
    const { fake } = setup();
    const fixture = TestBed.createComponent(LastMessage);
    fixture.autoDetectChanges();
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toBe('none');
    await fake.whenCreated();
    fake.emit('broadcast', { text: 'hello' });
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toBe('hello');
  });

  it('ends with a given destroyRef outside an injection context', async () => {
    const { backand, fake } = setup();
    const child = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const seen: unknown[] = [];
    backand.on('broadcast', (d) => seen.push(d), { destroyRef: child.get(DestroyRef) });
    await fake.whenCreated();
    fake.emit('broadcast', 1);
    child.destroy();
    fake.emit('broadcast', 2);
    expect(seen).toEqual([1]);
    expect(fake.listenerCount('broadcast')).toBe(0);
  });

  it('ends with the lifetime of a given injector', async () => {
    const { backand, fake } = setup();
    const child = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    backand.on('broadcast', () => undefined, { injector: child });
    await fake.whenCreated();
    expect(fake.listenerCount('broadcast')).toBe(1);
    child.destroy();
    expect(fake.listenerCount('broadcast')).toBe(0);
  });

  it('returns the Subscription to end outside an injection context', async () => {
    const { backand, fake } = setup();
    const seen: unknown[] = [];
    const subscription = backand.on('broadcast', (d) => seen.push(d));
    await fake.whenCreated();
    fake.emit('broadcast', 'a');
    subscription.unsubscribe();
    fake.emit('broadcast', 'b');
    expect(seen).toEqual(['a']);
    expect(fake.listenerCount('broadcast')).toBe(0);
  });

  it('does not listen at all for an already destroyed context', () => {
    const { backand, fake } = setup();
    const child = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const destroyRef = child.get(DestroyRef);
    child.destroy();
    const subscription = backand.on('broadcast', () => undefined, { destroyRef });
    expect(subscription.closed).toBe(true);
    expect(fake.listenerCount('broadcast')).toBe(0);
  });
});
