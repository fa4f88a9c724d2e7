import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { initials } from '../demo-users';
import { Session } from './session';

/** The header's identity: avatar, name and role, and sign-out for a signed-in user. */
@Component({
  selector: 'demo-user-menu',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (session.user(); as user) {
      <span class="avatar" aria-hidden="true" [attr.title]="session.displayName()">{{
        initials(session.displayName())
      }}</span>
      <span class="who" [attr.title]="user.username">
        <strong data-testid="current-user">{{ session.displayName() }}</strong>
        <span class="badge" data-testid="current-role" [attr.data-role]="user.role">{{
          user.role
        }}</span>
      </span>
      <button
        type="button"
        class="btn btn-small btn-quiet"
        data-testid="sign-out"
        [disabled]="session.busy()"
        (click)="session.signOut()"
      >
        Sign out
      </button>
    } @else {
      <span class="who guest">
        <strong data-testid="current-user">Guest</strong>
        <span class="badge" data-testid="current-role">Public</span>
      </span>
    }
  `,
  styles: `
    :host {
      display: flex;
      align-items: center;
      gap: 0.6rem;
      min-width: 0;
    }
    .who {
      display: flex;
      align-items: center;
      gap: 0.45rem;
      min-width: 0;
    }
    strong {
      font-size: 0.92rem;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .avatar {
      width: 2rem;
      height: 2rem;
      font-size: 0.78rem;
    }
    button {
      white-space: nowrap;
    }
    /* On a phone the avatar stands for the name (still read out by screen readers). */
    @media (max-width: 640px) {
      .who:not(.guest) {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
    }
  `,
})
export class UserMenu {
  protected readonly session = inject(Session);
  protected readonly initials = initials;
}
