import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { ActionsPanel } from './actions/actions-panel';
import { ConnectionIndicator } from './connection/connection-indicator';
import { EventFeed } from './events/event-feed';
import { EventLog } from './events/event-log';
import { ItemsPanel } from './items/items-panel';
import { MetricsChart } from './metrics/metrics-chart';
import { AccountPanel } from './session/account-panel';
import { Session } from './session/session';
import { StatsPanel } from './stats/stats-panel';
import { UserMenu } from './session/user-menu';

/** The demo's shell: a header with the connection state and user, then the live panels. */
@Component({
  selector: 'demo-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    AccountPanel,
    ActionsPanel,
    ConnectionIndicator,
    EventLog,
    ItemsPanel,
    MetricsChart,
    StatsPanel,
    UserMenu,
  ],
  template: `
    <header class="top">
      <div class="brand">
        <span class="logo" aria-hidden="true">⚡</span>
        <span>
          <strong>ngx-backand</strong>
          <span class="muted">realtime demo</span>
        </span>
      </div>
      <div class="top-right">
        <demo-connection-indicator />
        <demo-user-menu />
      </div>
    </header>
    <main class="layout">
      <demo-stats-panel class="stats-area" />
      <div class="col main-col">
        <demo-items-panel />
        <demo-metrics-chart />
      </div>
      <div class="col side-col">
        @if (session.isGuest()) {
          <demo-account-panel />
        }
        <demo-actions-panel />
        <demo-event-log />
      </div>
    </main>
    <footer class="foot muted small">
      Built with ngx-backand and backand-server. Everything on this page updates over one Socket.IO
      connection, with no reloads.
    </footer>
  `,
})
export class App {
  protected readonly session = inject(Session);

  constructor() {
    // Start listening with the page, so the log holds every event since it opened.
    inject(EventFeed);
  }
}
