import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { BackandService } from 'ngx-backand';
import { ConsoleApi } from '../api/console-api';
import type { SocketsSnapshot, TapEvent } from '../api/console-types';
import { matchesFilter } from './event-filter';

/** The most events kept in the stream (and held while paused). */
const MAX_EVENTS = 500;

/**
 * Live view of the realtime side: the app's connected sockets (user, role, audiences, node)
 * and every event sent, with its audience and how many sockets got it; filterable, pausable.
 * Fed by the console socket (`_console.sockets`, `_console.event`), which only admins join.
 */
@Component({
  selector: 'console-live',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  template: `
    <section class="card">
      <h2>
        Sockets <span class="muted">({{ sockets().length }} on node {{ node() }})</span>
      </h2>
      <div class="scroll">
        <table class="rows" data-testid="sockets">
          <thead>
            <tr>
              <th>user</th>
              <th>role</th>
              <th>audiences</th>
              <th>node</th>
              <th>transport</th>
              <th>since</th>
            </tr>
          </thead>
          <tbody>
            @for (socket of sockets(); track socket.id) {
              <tr [attr.data-socket]="socket.id">
                <td>
                  {{
                    socket.username ??
                      (socket.kind === 'anonymous' ? 'guest' : (socket.kind ?? 'not logged in'))
                  }}
                </td>
                <td>{{ socket.role ?? '–' }}</td>
                <td>{{ socket.audiences.join(' · ') }}</td>
                <td class="muted">{{ socket.node }}</td>
                <td>{{ socket.transport }}</td>
                <td>{{ socket.connectedAt.slice(11, 19) }}</td>
              </tr>
            } @empty {
              <tr>
                <td colspan="6" class="muted">No app socket is connected</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    </section>
    <section class="card">
      <h2>Events</h2>
      <div class="toolbar">
        <input
          name="filter"
          placeholder="Filter: name, audience, data…"
          aria-label="Filter events"
          [(ngModel)]="filterText"
          (ngModelChange)="filter.set($event)"
        />
        <button (click)="togglePause()">{{ paused() ? 'Resume' : 'Pause' }}</button>
        @if (paused()) {
          <span class="tag" data-testid="held">{{ held().length }} held</span>
        }
        <button (click)="events.set([])">Clear</button>
      </div>
      <table class="rows" data-testid="events">
        <thead>
          <tr>
            <th>time</th>
            <th>event</th>
            <th>audience</th>
            <th>sockets</th>
            <th>data</th>
          </tr>
        </thead>
        <tbody>
          @for (event of shown(); track event.node + event.seq) {
            <tr [attr.data-event]="event.event">
              <td>{{ event.at.slice(11, 23) }}</td>
              <td>
                <b>{{ event.event }}</b> <span class="tag">{{ event.kind }}</span>
              </td>
              <td>{{ event.audience }}</td>
              <td class="count">{{ event.delivered }}</td>
              <td>
                <code class="data">{{ event.data }}</code>
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="5" class="muted">No events yet</td>
            </tr>
          }
        </tbody>
      </table>
    </section>
  `,
})
export class LivePanel {
  private readonly backand = inject(BackandService);
  protected readonly snapshot = signal<SocketsSnapshot | null>(null);
  protected readonly sockets = computed(() => this.snapshot()?.sockets ?? []);
  protected readonly node = computed(() => this.snapshot()?.node ?? '…');
  protected readonly events = signal<TapEvent[]>([]);
  protected readonly held = signal<TapEvent[]>([]);
  protected readonly paused = signal(false);
  protected readonly filter = signal('');
  protected filterText = '';
  protected readonly shown = computed(() => {
    const filter = this.filter();
    return this.events().filter((event) => matchesFilter(event, filter));
  });

  constructor() {
    inject(ConsoleApi)
      .sockets()
      .subscribe((snapshot) => this.snapshot.update((now) => now ?? snapshot));
    this.backand.on<SocketsSnapshot>('_console.sockets', (snapshot) => this.snapshot.set(snapshot));
    this.backand.on<TapEvent>('_console.event', (event) => {
      if (this.paused()) this.held.update((held) => [event, ...held].slice(0, MAX_EVENTS));
      else this.events.update((events) => [event, ...events].slice(0, MAX_EVENTS));
    });
  }

  protected togglePause(): void {
    if (this.paused()) {
      const held = this.held();
      this.held.set([]);
      this.events.update((events) => [...held, ...events].slice(0, MAX_EVENTS));
    }
    this.paused.update((paused) => !paused);
  }
}
