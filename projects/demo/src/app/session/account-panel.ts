import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { DEMO_USERS, DemoUser, initials } from '../demo-users';
import { Session } from './session';

/**
 * The guest's way in (the shell shows it to guests only): one-click sign-ins as the seeded demo users, or any account by username
 * and password. Signed-in users see their name and sign out in the header ({@link UserMenu}).
 */
@Component({
  selector: 'demo-account-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  template: `
    <section class="card" data-testid="account" aria-labelledby="account-title">
      <header class="card-head">
        <h2 id="account-title">You are browsing as a guest</h2>
      </header>
      <p class="muted small">
        Guests read public data live. Sign in as a demo user to write, run actions and receive
        private messages. Open another tab as someone else to watch both update.
      </p>
      <ul class="users">
        @for (user of users; track user.username) {
          <li>
            <button
              type="button"
              class="user-btn"
              [attr.data-testid]="'sign-in-' + user.username.split('@')[0]"
              [disabled]="session.busy()"
              (click)="signInAs(user)"
            >
              <span class="avatar" aria-hidden="true">{{ initials(user.name) }}</span>
              <span class="who">
                <strong>{{ user.name }}</strong>
                <span class="muted small">{{ user.can }}</span>
              </span>
              <span class="badge" [attr.data-role]="user.role">{{ user.role }}</span>
            </button>
          </li>
        }
      </ul>
      <details class="other">
        <summary>Another account</summary>
        <form class="stack" (ngSubmit)="signIn()">
          <label>
            Username
            <input name="username" autocomplete="username" [(ngModel)]="username" required />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              [(ngModel)]="password"
              required
            />
          </label>
          <button type="submit" class="btn" [disabled]="session.busy()">Sign in</button>
        </form>
      </details>
      @if (session.error(); as error) {
        <p class="error" role="alert" data-testid="account-error">{{ error }}</p>
      }
    </section>
  `,
  styles: `
    .who {
      display: flex;
      flex-direction: column;
      min-width: 0;
      flex: 1;
      text-align: left;
    }
    .who > * {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .users {
      list-style: none;
      margin: 0.75rem 0;
      padding: 0;
      display: grid;
      gap: 0.5rem;
    }
    .user-btn {
      width: 100%;
      display: flex;
      align-items: center;
      gap: 0.75rem;
      padding: 0.55rem 0.7rem;
      border: 1px solid var(--line);
      border-radius: 0.7rem;
      background: var(--surface);
      cursor: pointer;
      font: inherit;
      color: inherit;
    }
    .user-btn:hover:not(:disabled) {
      border-color: var(--accent);
      background: var(--accent-bg);
    }
    .other summary {
      cursor: pointer;
      color: var(--accent);
      font-size: 0.9rem;
    }
    .other form {
      margin-top: 0.6rem;
    }
  `,
})
export class AccountPanel {
  protected readonly session = inject(Session);
  protected readonly users = DEMO_USERS;
  protected readonly initials = initials;
  protected readonly username = signal('');
  protected readonly password = signal('');

  protected signInAs(user: DemoUser): void {
    void this.session.signIn(user.username, user.password);
  }

  protected async signIn(): Promise<void> {
    if (await this.session.signIn(this.username(), this.password())) {
      this.password.set('');
    }
  }
}
