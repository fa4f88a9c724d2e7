import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { HttpErrorResponse } from '@angular/common/http';
import { FormsModule } from '@angular/forms';
import { firstValueFrom } from 'rxjs';
import { ConsoleApi } from '../api/console-api';
import type { ConsoleEmit } from '../api/console-types';

/** Sends a test `emitAll` / `emitRole` / `emitUsers`, as an action's `socket.emit*` would. */
@Component({
  selector: 'console-emit',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  template: `
    <form class="card editor" (ngSubmit)="send()">
      <h2>Send a test event</h2>
      <div class="grid">
        <label
          >Call
          <select name="kind" aria-label="Call" [(ngModel)]="kind">
            <option value="all">emitAll</option>
            <option value="role">emitRole</option>
            <option value="users">emitUsers</option>
          </select>
        </label>
        <label>Event name <input name="event" [(ngModel)]="event" required /></label>
        @if (kind === 'role') {
          <label>Role <input name="role" [(ngModel)]="role" /></label>
        }
        @if (kind === 'users') {
          <label>Users (comma separated) <input name="users" [(ngModel)]="users" /></label>
        }
      </div>
      <label
        >Data (JSON, or plain text) <textarea name="data" rows="4" [(ngModel)]="data"></textarea>
      </label>
      <button class="primary" type="submit">Send</button>
      @if (result(); as message) {
        <p class="notice" role="status" data-testid="emit-result">{{ message }}</p>
      }
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
    </form>
  `,
})
export class EmitPanel {
  private readonly api = inject(ConsoleApi);
  protected kind: ConsoleEmit['kind'] = 'all';
  protected event = 'console_test';
  protected role = 'User';
  protected users = '';
  protected data = '{ "hello": "from the console" }';
  protected readonly result = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);

  protected async send(): Promise<void> {
    const data = parseData(this.data);
    const body: ConsoleEmit =
      this.kind === 'role'
        ? { kind: 'role', event: this.event, data, role: this.role }
        : this.kind === 'users'
          ? { kind: 'users', event: this.event, data, users: splitList(this.users) }
          : { kind: 'all', event: this.event, data };
    try {
      const answer = await firstValueFrom(this.api.emit(body));
      this.error.set(null);
      this.result.set(`Sent "${answer.event}" to ${answer.delivered} socket(s) on this node.`);
    } catch (err) {
      this.result.set(null);
      const body = err instanceof HttpErrorResponse ? (err.error as { Message?: string }) : null;
      this.error.set(body?.Message ?? String(err));
    }
  }
}

/** JSON when it parses, else the text as it is (as Backand's emits treat strings). */
function parseData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}
