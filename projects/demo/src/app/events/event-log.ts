import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { EventFeed, LoggedEvent } from './event-feed';
import { clockTime, compactJson } from './log-format';

type LogFilter = 'all' | 'messages' | 'data';

const AUDIENCE_LABELS: Record<LoggedEvent['audience'], string> = {
  data: 'data',
  everyone: 'everyone',
  role: 'role',
  user: 'you',
};

/** Every realtime event this page received, newest first, with its time and payload. */
@Component({
  selector: 'demo-event-log',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="event-log" aria-labelledby="log-title">
      <header class="card-head">
        <h2 id="log-title">Event log</h2>
        <div class="tools">
          <div class="seg" role="group" aria-label="Show">
            @for (f of filters; track f.value) {
              <button
                type="button"
                [attr.data-testid]="'log-filter-' + f.value"
                [attr.aria-pressed]="filter() === f.value"
                (click)="filter.set(f.value)"
              >
                {{ f.label }}
              </button>
            }
          </div>
          <button
            type="button"
            class="btn btn-small btn-quiet"
            data-testid="log-clear"
            (click)="feed.clear()"
          >
            Clear
          </button>
        </div>
      </header>
      <ol class="log" aria-live="polite">
        @for (entry of shown(); track entry.seq) {
          <li data-testid="log-entry" [attr.data-event]="entry.name" [attr.title]="pretty(entry)">
            <time [attr.datetime]="entry.at.toISOString()">{{ time(entry) }}</time>
            <span class="tag" [attr.data-audience]="entry.audience">{{ label(entry) }}</span>
            <span class="name">{{ entry.name }}</span>
            <code class="payload" data-testid="log-payload">{{ compact(entry) }}</code>
          </li>
        } @empty {
          <li class="empty muted" data-testid="log-empty">
            Waiting for events. Add an item or run an action, here or in another tab.
          </li>
        }
      </ol>
    </section>
  `,
  styles: `
    .tools {
      display: flex;
      gap: 0.5rem;
      align-items: center;
    }
    .seg {
      display: inline-flex;
      border: 1px solid var(--line);
      border-radius: 0.5rem;
      overflow: hidden;
    }
    .seg button {
      border: 0;
      background: transparent;
      font: inherit;
      font-size: 0.8rem;
      padding: 0.25rem 0.6rem;
      cursor: pointer;
      color: var(--muted);
    }
    .seg button[aria-pressed='true'] {
      background: var(--accent-bg);
      color: var(--accent);
      font-weight: 600;
    }
    .log {
      list-style: none;
      margin: 0;
      padding: 0;
      max-height: 24rem;
      overflow-y: auto;
      font-size: 0.85rem;
    }
    .log li {
      display: grid;
      grid-template-columns: auto auto 1fr;
      gap: 0.2rem 0.6rem;
      align-items: baseline;
      padding: 0.45rem 0;
      border-top: 1px solid var(--line);
    }
    .log li:first-child {
      border-top: 0;
    }
    time {
      font-variant-numeric: tabular-nums;
      color: var(--muted);
    }
    .name {
      font-weight: 600;
    }
    .payload {
      grid-column: 1 / -1;
      color: var(--muted);
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-size: 0.78rem;
    }
    .tag {
      font-size: 0.7rem;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      padding: 0.05rem 0.45rem;
      border-radius: 999px;
      background: var(--surface-2);
      color: var(--muted);
    }
    .tag[data-audience='everyone'] {
      background: var(--accent-bg);
      color: var(--accent);
    }
    .tag[data-audience='role'] {
      background: var(--warn-bg);
      color: var(--warn);
    }
    .tag[data-audience='user'] {
      background: var(--ok-bg);
      color: var(--ok);
    }
    .log li.empty {
      display: block;
      padding: 1.5rem 0;
      text-align: center;
    }
  `,
})
export class EventLog {
  protected readonly feed = inject(EventFeed);
  protected readonly filter = signal<LogFilter>('all');
  protected readonly filters: readonly { value: LogFilter; label: string }[] = [
    { value: 'all', label: 'All' },
    { value: 'messages', label: 'Messages' },
    { value: 'data', label: 'Data' },
  ];
  protected readonly shown = computed(() => {
    const filter = this.filter();
    const entries = this.feed.entries();
    if (filter === 'all') {
      return entries;
    }
    return entries.filter((e) => (filter === 'data') === (e.audience === 'data'));
  });

  protected time(entry: LoggedEvent): string {
    return clockTime(entry.at);
  }

  protected label(entry: LoggedEvent): string {
    return AUDIENCE_LABELS[entry.audience];
  }

  protected compact(entry: LoggedEvent): string {
    return compactJson(entry.payload);
  }

  protected pretty(entry: LoggedEvent): string {
    return JSON.stringify(entry.payload, null, 2) ?? '';
  }
}
