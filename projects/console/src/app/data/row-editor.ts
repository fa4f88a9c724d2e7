import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { fromText, toText, type FieldColumn } from './field-columns';

/** What the editor saves: the values typed, converted to their fields' types. */
export type RowValues = Record<string, unknown>;

/** A form for one row: empty for a new row, filled from `row` to edit one. */
@Component({
  selector: 'console-row-editor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  template: `
    <form class="card editor" (ngSubmit)="save()" data-testid="row-editor">
      <h3>{{ row() ? 'Edit row ' + row()!['id'] : 'New row' }}</h3>
      <div class="grid">
        @for (column of columns(); track column.name) {
          <label>
            {{ column.name }} <span class="muted">{{ column.type }}</span>
            <input
              [name]="column.name"
              [ngModel]="texts()[column.name]"
              (ngModelChange)="set(column.name, $event)"
            />
          </label>
        }
      </div>
      <button class="primary" type="submit">Save</button>
      <button type="button" (click)="cancelled.emit()">Cancel</button>
      @if (error(); as message) {
        <p class="error" role="alert">{{ message }}</p>
      }
    </form>
  `,
})
export class RowEditor {
  readonly columns = input.required<FieldColumn[]>();
  /** The row to edit; absent for a new row. */
  readonly row = input<Record<string, unknown> | null>(null);
  readonly saved = output<RowValues>();
  readonly cancelled = output<void>();

  private readonly edits = signal<Record<string, string>>({});
  protected readonly error = signal<string | null>(null);
  protected readonly texts = computed(() => {
    const row = this.row();
    const base = Object.fromEntries(this.columns().map((c) => [c.name, toText(row?.[c.name])]));
    return { ...base, ...this.edits() };
  });

  protected set(name: string, text: string): void {
    this.edits.update((edits) => ({ ...edits, [name]: text }));
  }

  protected save(): void {
    const texts = this.texts();
    const isNew = !this.row();
    try {
      const values: RowValues = {};
      for (const column of this.columns()) {
        // A new row gets what was typed; an edited row only what changed.
        if (isNew ? texts[column.name] === '' : !(column.name in this.edits())) continue;
        values[column.name] = fromText(column, texts[column.name] ?? '');
      }
      this.error.set(null);
      this.saved.emit(values);
    } catch (err) {
      this.error.set((err as Error).message);
    }
  }
}
