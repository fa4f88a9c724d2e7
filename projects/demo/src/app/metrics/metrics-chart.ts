import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { Session, describeError } from '../session/session';
import { chartGeometry } from './chart-geometry';
import { MetricSeries } from './metric-series';

const BOX = { width: 600, height: 180, padding: 12 };

/** A live line chart of the `load` metric, in plain SVG, redrawn on every `metrics.created`. */
@Component({
  selector: 'demo-metrics-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="chart" aria-labelledby="chart-title">
      <header class="card-head">
        <h2 id="chart-title">Load</h2>
        <span class="muted small" data-testid="chart-points"
          >{{ series.values().length }} readings</span
        >
      </header>
      <svg
        class="chart"
        role="img"
        [attr.viewBox]="'0 0 ' + box.width + ' ' + box.height"
        preserveAspectRatio="none"
        [attr.aria-label]="summary()"
      >
        <defs>
          <linearGradient id="load-fill" x1="0" x2="0" y1="0" y2="1">
            <stop offset="0" stop-color="var(--accent)" stop-opacity="0.28" />
            <stop offset="1" stop-color="var(--accent)" stop-opacity="0" />
          </linearGradient>
        </defs>
        @for (y of grid; track y) {
          <line class="grid" [attr.x1]="0" [attr.x2]="box.width" [attr.y1]="y" [attr.y2]="y" />
        }
        @if (geometry().line) {
          <path class="area" [attr.d]="geometry().area" fill="url(#load-fill)" />
          <path class="line" data-testid="chart-line" [attr.d]="geometry().line" />
        }
        @if (geometry().last; as last) {
          <circle class="last" [attr.cx]="last.x" [attr.cy]="last.y" r="4" />
        }
      </svg>
      <footer class="chart-foot">
        <span class="muted small">
          @if (series.values().length) {
            min {{ geometry().min }} · max {{ geometry().max }}
          } @else {
            No readings yet.
          }
        </span>
        @if (session.canCreate()) {
          <button
            type="button"
            class="btn btn-small btn-quiet"
            data-testid="metric-record"
            [disabled]="busy()"
            (click)="record()"
          >
            Record a reading
          </button>
        }
      </footer>
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
    </section>
  `,
  styles: `
    .chart {
      display: block;
      width: 100%;
      height: 11rem;
    }
    .grid {
      stroke: var(--line);
      stroke-width: 1;
      vector-effect: non-scaling-stroke;
    }
    .line {
      fill: none;
      stroke: var(--accent);
      stroke-width: 2.5;
      stroke-linejoin: round;
      vector-effect: non-scaling-stroke;
    }
    .last {
      fill: var(--accent);
      stroke: var(--surface);
      stroke-width: 2;
      vector-effect: non-scaling-stroke;
    }
    .chart-foot {
      display: flex;
      justify-content: space-between;
      align-items: center;
      margin-top: 0.5rem;
      gap: 0.5rem;
    }
  `,
})
export class MetricsChart {
  protected readonly series = inject(MetricSeries);
  protected readonly session = inject(Session);
  protected readonly box = BOX;
  protected readonly grid = [0.25, 0.5, 0.75].map((f) => BOX.height * f);
  protected readonly geometry = computed(() => chartGeometry(this.series.values(), BOX));
  protected readonly summary = computed(() => {
    const latest = this.series.latest();
    return latest ? `Load chart, latest reading ${latest.value}` : 'Load chart, no readings yet';
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async record(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await firstValueFrom(this.series.record(), { defaultValue: undefined });
    } catch (error: unknown) {
      this.error.set(describeError(error));
    } finally {
      this.busy.set(false);
    }
  }
}
