import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { BackandService } from 'ngx-backand';
import { firstValueFrom } from 'rxjs';
import { DEMO_ROLES, DEMO_USERS } from '../demo-users';
import { Session, describeError } from '../session/session';

/** What the last action run sent, and to whom. */
interface Outcome {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

/**
 * Runs the demo app's on-demand actions on `items`: `broadcast` (socket.emitAll), `notifyRole`
 * (socket.emitRole) and `notifyUsers` (socket.emitUsers), so a visitor with two tabs open sees
 * exactly who receives what.
 */
@Component({
  selector: 'demo-actions-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  templateUrl: './actions-panel.html',
  styleUrl: './actions-panel.css',
})
export class ActionsPanel {
  private readonly backand = inject(BackandService);
  protected readonly session = inject(Session);
  protected readonly roles = DEMO_ROLES;
  protected readonly users = DEMO_USERS;

  protected readonly message = signal('Hello from the demo');
  protected readonly role = signal<string>('Admin');
  protected readonly recipients = signal<readonly string[]>(['ann@demo.test']);
  protected readonly busy = signal(false);
  protected readonly outcome = signal<Outcome | null>(null);
  protected readonly noRecipients = computed(() => this.recipients().length === 0);

  protected isRecipient(username: string): boolean {
    return this.recipients().includes(username);
  }

  protected toggleRecipient(username: string, on: boolean): void {
    this.recipients.update((list) =>
      on ? [...list.filter((u) => u !== username), username] : list.filter((u) => u !== username),
    );
  }

  protected broadcast(): void {
    void this.runAction('broadcast', { message: this.text() }, 'Sent to everyone connected.');
  }

  protected notifyRole(): void {
    const role = this.role();
    void this.runAction('notifyRole', { message: this.text(), role }, `Sent to every ${role}.`);
  }

  protected notifyUsers(): void {
    const users = [...this.recipients()];
    const names = users.map((u) => u.split('@')[0]).join(', ');
    void this.runAction('notifyUsers', { message: this.text(), users }, `Sent only to ${names}.`);
  }

  private text(): string {
    return this.message().trim() || 'Hello from the demo';
  }

  private async runAction(name: string, body: object, sent: string): Promise<void> {
    this.busy.set(true);
    this.outcome.set(null);
    try {
      await firstValueFrom(this.backand.object.action.post('items', name, body), {
        defaultValue: undefined,
      });
      this.outcome.set({ kind: 'ok', text: sent });
    } catch (error: unknown) {
      this.outcome.set({ kind: 'error', text: describeError(error) });
    } finally {
      this.busy.set(false);
    }
  }
}
