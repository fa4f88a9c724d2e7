import { HttpClient, HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { BACKAND_CONFIG } from 'ngx-backand';
import { firstValueFrom } from 'rxjs';
import { ConsoleApi } from '../api/console-api';
import { CONSOLE_APP_NAME } from './console-app-name';
import { ConsoleCredentials } from './console-credentials';

/**
 * Signs an admin in: an Admin's e-mail and password, or the app's master and user tokens.
 * A credential that is not an admin's is refused here and kept nowhere.
 */
@Component({
  selector: 'console-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  template: `
    <section class="card sign-in">
      <h1>backand-server console</h1>
      <p class="muted">
        App <b>{{ appName }}</b>. Admins only.
      </p>
      <div class="tabs" role="tablist">
        <button
          role="tab"
          [attr.aria-selected]="mode() === 'password'"
          (click)="mode.set('password')"
        >
          Admin account
        </button>
        <button role="tab" [attr.aria-selected]="mode() === 'master'" (click)="mode.set('master')">
          Master token
        </button>
      </div>
      <form (ngSubmit)="submit()">
        @if (mode() === 'password') {
          <label
            >E-mail <input name="username" [(ngModel)]="username" autocomplete="username"
          /></label>
          <label>
            Password
            <input
              name="password"
              type="password"
              [(ngModel)]="password"
              autocomplete="current-password"
            />
          </label>
        } @else {
          <label
            >Master token <input name="master" type="password" [(ngModel)]="masterToken"
          /></label>
          <label>User token <input name="user" type="password" [(ngModel)]="userToken" /></label>
        }
        <button class="primary" type="submit" [disabled]="busy()">Sign in</button>
      </form>
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
    </section>
  `,
})
export class SignInPage {
  private readonly http = inject(HttpClient);
  private readonly api = inject(ConsoleApi);
  private readonly credentials = inject(ConsoleCredentials);
  private readonly apiUrl = inject(BACKAND_CONFIG).apiUrl;
  protected readonly appName = inject(CONSOLE_APP_NAME);

  protected readonly mode = signal<'password' | 'master'>('password');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected username = '';
  protected password = '';
  protected masterToken = '';
  protected userToken = '';

  protected async submit(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      const authorization =
        this.mode() === 'password'
          ? `Bearer ${await this.passwordToken()}`
          : `Basic ${base64(`${this.masterToken}:${this.userToken}`)}`;
      const admin = await firstValueFrom(this.api.me(authorization));
      this.credentials.accept(authorization, admin);
    } catch (err) {
      this.error.set(describe(err));
    } finally {
      this.password = '';
      this.busy.set(false);
    }
  }

  private async passwordToken(): Promise<string> {
    const form = new URLSearchParams({
      username: this.username,
      password: this.password,
      appName: this.appName,
      grant_type: 'password',
    }).toString();
    const answer = await firstValueFrom(
      this.http.post<{ access_token: string }>(`${this.apiUrl}/token`, form, {
        headers: new HttpHeaders({ 'Content-Type': 'application/x-www-form-urlencoded' }),
      }),
    );
    return answer.access_token;
  }
}

function describe(err: unknown): string {
  if (!(err instanceof HttpErrorResponse)) return String(err);
  if (err.status === 403) return 'This account is not an admin: the console is for admins only.';
  if (err.status === 400 || err.status === 401) return 'Wrong credentials.';
  if (err.status === 429) return 'Too many attempts; try again later.';
  return `The server answered ${err.status}.`;
}

/** Base64 of the UTF-8 bytes of `text` (as the server decodes Basic credentials). */
function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}
