import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { BackandService } from 'ngx-backand';
import { Observable, firstValueFrom } from 'rxjs';
import { Item } from '../models';
import { Session, describeError } from '../session/session';
import { LiveItems } from './live-items';

/**
 * The `items` list, live: rows created, edited or deleted anywhere appear here without a reload.
 * Create, rename, tick and delete, as far as the signed-in user's role allows.
 */
@Component({
  selector: 'demo-items-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  templateUrl: './items-panel.html',
  styleUrl: './items-panel.css',
})
export class ItemsPanel {
  private readonly backand = inject(BackandService);
  protected readonly session = inject(Session);
  protected readonly live = inject(LiveItems);

  protected readonly newName = signal('');
  protected readonly newDescription = signal('');
  protected readonly editingId = signal<Item['id'] | null>(null);
  protected readonly editName = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async create(): Promise<void> {
    const name = this.newName().trim();
    if (!name) {
      return;
    }
    const description = this.newDescription().trim();
    const done = await this.run(
      this.backand.object.create<Item>('items', description ? { name, description } : { name }),
    );
    if (done) {
      this.newName.set('');
      this.newDescription.set('');
    }
  }

  protected startEdit(item: Item): void {
    this.editingId.set(item.id);
    this.editName.set(item.name);
  }

  protected cancelEdit(): void {
    this.editingId.set(null);
  }

  protected async saveEdit(item: Item): Promise<void> {
    const name = this.editName().trim();
    if (!name || name === item.name) {
      this.cancelEdit();
      return;
    }
    if (await this.run(this.backand.object.update<Item>('items', item.id, { name }))) {
      this.cancelEdit();
    }
  }

  protected toggleDone(item: Item): void {
    void this.run(this.backand.object.update<Item>('items', item.id, { done: !item.done }));
  }

  protected remove(item: Item): void {
    void this.run(this.backand.object.remove('items', item.id));
  }

  protected shortName(username: string | null | undefined): string {
    return username ? username.split('@')[0] : 'unknown';
  }

  private async run(request: Observable<unknown>): Promise<boolean> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await firstValueFrom(request, { defaultValue: undefined });
      return true;
    } catch (error: unknown) {
      this.error.set(describeError(error));
      return false;
    } finally {
      this.busy.set(false);
    }
  }
}
