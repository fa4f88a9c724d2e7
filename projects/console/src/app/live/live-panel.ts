import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ConsoleApi } from '../api/console-api';
import { matchesFilter } from './event-filter';
import { LiveStream } from './live-stream';

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
        <button (click)="live.clear()">Clear</button>
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
                <code class="data" [title]="event.data">{{ event.data }}</code>
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
  protected readonly live = inject(LiveStream);
  protected readonly sockets = this.live.sockets;
  protected readonly node = computed(() => this.live.snapshot()?.node ?? '…');
  protected readonly events = this.live.events;
  protected readonly held = this.live.held;
  protected readonly paused = this.live.paused;
  protected readonly filter = signal('');
  protected filterText = '';
  protected readonly shown = computed(() => {
    const filter = this.filter();
    return this.events().filter((event) => matchesFilter(event, filter));
  });

  constructor() {
    // Until the socket's first snapshot arrives.
    inject(ConsoleApi)
      .sockets()
      .subscribe((snapshot) => this.live.snapshot.update((now) => now ?? snapshot));
  }

  protected togglePause(): void {
    this.live.togglePause();
  }
}
