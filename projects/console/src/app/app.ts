import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  signal,
  untracked,
} from '@angular/core';
import { BackandSocketService } from 'ngx-backand';
import { firstValueFrom } from 'rxjs';
import { ConsoleApi } from './api/console-api';
import { ConsoleCredentials } from './auth/console-credentials';
import { SignInPage } from './auth/sign-in-page';
import { DataPanel } from './data/data-panel';
import { DefinitionPanel } from './definition/definition-panel';
import { EmitPanel } from './emit/emit-panel';
import { LivePanel } from './live/live-panel';
import { LiveStream } from './live/live-stream';
import { UsersPanel } from './users/users-panel';

/** The console's panels. */
const PANELS = ['Definition', 'Data', 'Users', 'Live', 'Emit'] as const;
type Panel = (typeof PANELS)[number];

/** The console: the sign-in page, or the panels once an admin is signed in. */
@Component({
  selector: 'console-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [SignInPage, DefinitionPanel, DataPanel, UsersPanel, LivePanel, EmitPanel],
  template: `
    @if (checking()) {
      <p class="muted center">Checking your session…</p>
    } @else if (credentials.admin(); as admin) {
      <header class="bar">
        <b class="brand">backand-server console</b>
        <nav class="tabs" role="tablist">
          @for (panel of panels; track panel) {
            <button
              role="tab"
              [attr.aria-selected]="current() === panel"
              (click)="current.set(panel)"
            >
              {{ panel }}
            </button>
          }
        </nav>
        <span class="who" data-testid="who">
          {{ admin.kind === 'master' ? 'master key' : admin.username }}
          <span class="socket-state" [attr.data-state]="socket.state()">{{ socket.state() }}</span>
        </span>
        <button (click)="signOut()">Sign out</button>
      </header>
      <main>
        @switch (current()) {
          @case ('Definition') {
            <console-definition />
          }
          @case ('Data') {
            <console-data />
          }
          @case ('Users') {
            <console-users />
          }
          @case ('Live') {
            <console-live />
          }
          @case ('Emit') {
            <console-emit />
          }
        }
      </main>
    } @else {
      <console-sign-in />
    }
  `,
})
export class App {
  protected readonly credentials = inject(ConsoleCredentials);
  protected readonly socket = inject(BackandSocketService);
  private readonly api = inject(ConsoleApi);
  private readonly live = inject(LiveStream);
  protected readonly panels = PANELS;
  protected readonly current = signal<Panel>('Definition');
  protected readonly checking = signal(false);

  constructor() {
    // The live socket logs in with the admin's credential (read when it connects).
    effect(() => {
      if (this.credentials.admin()) {
        untracked(() => {
          this.live.start();
          this.socket.connect();
        });
      }
    });
    // A credential kept from before a reload is used only once the server confirms it again.
    const kept = this.credentials.authorization();
    if (kept && !this.credentials.admin()) {
      this.checking.set(true);
      firstValueFrom(this.api.me(kept))
        .then((admin) => this.credentials.accept(kept, admin))
        .catch(() => this.credentials.clear())
        .finally(() => this.checking.set(false));
    }
  }

  protected signOut(): void {
    this.live.stop();
    this.socket.disconnect();
    this.credentials.clear();
  }
}
