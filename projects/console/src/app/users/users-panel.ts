import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { BackandService, type BackandError } from 'ngx-backand';
import { firstValueFrom } from 'rxjs';
import { ConsoleApi } from '../api/console-api';
import type { UserRow } from '../api/console-types';

/** Roles every app has; the definition may name more. */
const BUILT_IN_ROLES = ['Admin', 'User', 'ReadOnly', 'Public'];

/**
 * The app's users (the built-in `users` object, through `BackandService`): change a role, sign
 * a user out everywhere (all sessions end; their sockets lose the user's audience).
 */
@Component({
  selector: 'console-users',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card">
      <h2>Users <button (click)="load()">Reload</button></h2>
      @if (notice(); as message) {
        <p class="notice" role="status">{{ message }}</p>
      }
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
      <table class="rows" data-testid="users">
        <thead>
          <tr>
            <th>id</th>
            <th>e-mail</th>
            <th>name</th>
            <th>role</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          @for (user of users(); track user.id) {
            <tr [attr.data-user]="user.email">
              <td>{{ user.id }}</td>
              <td>{{ user.email }}</td>
              <td>{{ user.firstName }} {{ user.lastName }}</td>
              <td>
                <select
                  [attr.aria-label]="'Role of ' + user.email"
                  [value]="user.role"
                  (change)="setRole(user, $any($event.target).value)"
                >
                  @for (role of roles(); track role) {
                    <option [value]="role" [selected]="role === user.role">{{ role }}</option>
                  }
                </select>
              </td>
              <td><button class="danger" (click)="signOut(user)">Sign out everywhere</button></td>
            </tr>
          }
        </tbody>
      </table>
    </section>
  `,
})
export class UsersPanel {
  private readonly backand = inject(BackandService);
  private readonly api = inject(ConsoleApi);
  private readonly app = toSignal(this.api.app());
  protected readonly users = signal<UserRow[]>([]);
  protected readonly notice = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly roles = computed(() => {
    const app = this.app();
    const named = new Set(BUILT_IN_ROLES);
    if (app) {
      named.add(app.anonymousRole).add(app.signUpRole);
      for (const object of app.objects)
        for (const role of Object.keys(object.permissions)) named.add(role);
    }
    for (const user of this.users()) named.add(user.role);
    named.delete('*');
    return [...named];
  });

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    try {
      const list = await firstValueFrom(
        this.backand.object.getList<UserRow>('users', {
          pageSize: 200,
          sort: [{ fieldName: 'id', order: 'asc' }],
        }),
      );
      this.users.set(list.data);
    } catch (err) {
      this.fail(err);
    }
  }

  protected async setRole(user: UserRow, role: string): Promise<void> {
    try {
      await firstValueFrom(this.backand.object.update('users', String(user.id), { role }));
      this.notice.set(`${user.email} is now ${role}.`);
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  protected async signOut(user: UserRow): Promise<void> {
    try {
      const { revoked } = await firstValueFrom(this.api.signOutEverywhere(user.id));
      this.notice.set(`${user.email} was signed out everywhere (${revoked} sessions ended).`);
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    const error = err as Partial<BackandError> & { status?: number; message?: string };
    this.error.set(error.status ? `${error.status}: ${error.message}` : String(err));
  }
}
