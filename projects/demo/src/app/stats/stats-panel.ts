import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { EventFeed } from '../events/event-feed';
import { LiveItems } from '../items/live-items';
import { MetricSeries } from '../metrics/metric-series';

/** Live counters: each number changes as realtime events reach this page. */
@Component({
  selector: 'demo-stats-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ul class="stats" aria-label="Live counters">
      <li class="stat">
        <span class="label">Items</span>
        <strong data-testid="stat-items">{{ items.count() }}</strong>
        <span class="sub">{{ items.doneCount() }} done</span>
      </li>
      <li class="stat">
        <span class="label">Events received</span>
        <strong data-testid="stat-events">{{ feed.total() }}</strong>
        <span class="sub">since this page opened</span>
      </li>
      <li class="stat">
        <span class="label">Private messages</span>
        <strong data-testid="stat-private">{{ feed.privateCount() }}</strong>
        <span class="sub">to your role or to you</span>
      </li>
      <li class="stat">
        <span class="label">Latest load</span>
        <strong data-testid="stat-load">{{ metrics.latest()?.value ?? '–' }}</strong>
        <span class="sub">{{ metrics.values().length }} readings</span>
      </li>
    </ul>
  `,
  styles: `
    .stats {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      grid-template-columns: repeat(4, minmax(0, 1fr));
      gap: 1rem;
    }
    .stat {
      background: var(--surface);
      border: 1px solid var(--line);
      border-radius: var(--radius);
      padding: 0.9rem 1rem;
      display: flex;
      flex-direction: column;
      gap: 0.15rem;
      box-shadow: var(--shadow);
    }
    .label {
      font-size: 0.8rem;
      color: var(--muted);
      font-weight: 600;
    }
    strong {
      font-size: 1.75rem;
      font-variant-numeric: tabular-nums;
      line-height: 1.2;
    }
    .sub {
      font-size: 0.75rem;
      color: var(--muted);
    }
    @media (max-width: 760px) {
      .stats {
        grid-template-columns: repeat(2, minmax(0, 1fr));
        gap: 0.6rem;
      }
      strong {
        font-size: 1.4rem;
      }
    }
  `,
})
export class StatsPanel {
  protected readonly items = inject(LiveItems);
  protected readonly feed = inject(EventFeed);
  protected readonly metrics = inject(MetricSeries);
}
