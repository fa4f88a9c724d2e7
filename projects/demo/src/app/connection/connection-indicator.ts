import { ChangeDetectionStrategy, Component, computed, inject, linkedSignal } from '@angular/core';
import { BackandSocketService, BackandSocketState } from 'ngx-backand';

const LABELS: Record<BackandSocketState, string> = {
  authorized: 'Live',
  connecting: 'Connecting…',
  disconnected: 'Offline',
  notAuthorized: 'Not authorized',
};

/** A pill that shows the realtime socket's state, straight from its `state` signal. */
@Component({
  selector: 'demo-connection-indicator',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span
      class="connection"
      data-testid="connection"
      role="status"
      [attr.data-state]="state()"
      [attr.data-online]="state() === 'authorized'"
      [class.lost]="lost()"
      [attr.title]="'Realtime socket: ' + state()"
    >
      <span class="dot" aria-hidden="true"></span>
      {{ label() }}
    </span>
  `,
  styles: `
    .connection {
      display: inline-flex;
      align-items: center;
      gap: 0.45rem;
      padding: 0.3rem 0.75rem;
      border-radius: 999px;
      font-size: 0.85rem;
      font-weight: 600;
      background: var(--surface-2);
      color: var(--muted);
      white-space: nowrap;
    }
    .dot {
      width: 0.55rem;
      height: 0.55rem;
      border-radius: 50%;
      background: currentColor;
    }
    [data-state='authorized'] {
      background: var(--ok-bg);
      color: var(--ok);
    }
    [data-state='authorized'] .dot {
      box-shadow: 0 0 0 0 currentColor;
      animation: pulse 2s infinite;
    }
    [data-state='connecting'] {
      background: var(--warn-bg);
      color: var(--warn);
    }
    [data-state='disconnected'],
    [data-state='notAuthorized'],
    .lost {
      background: var(--err-bg);
      color: var(--err);
    }
    @keyframes pulse {
      70% {
        box-shadow: 0 0 0 0.4rem transparent;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      [data-state='authorized'] .dot {
        animation: none;
      }
    }
  `,
})
export class ConnectionIndicator {
  /** The socket's state: disconnected, connecting, authorized or notAuthorized. */
  protected readonly state = inject(BackandSocketService).state;
  /** Whether this page has been live before: then "connecting" means the link was lost. */
  private readonly wasLive = linkedSignal<BackandSocketState, boolean>({
    source: this.state,
    computation: (state, previous) => state === 'authorized' || (previous?.value ?? false),
  });
  /** Connection lost and being retried (the server went away, or the network did). */
  protected readonly lost = computed(() => this.state() === 'connecting' && this.wasLive());
  protected readonly label = computed(() =>
    this.lost() ? 'Offline · reconnecting…' : LABELS[this.state()],
  );
}
