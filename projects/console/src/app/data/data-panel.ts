import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  signal,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { BackandService, type BackandError, type BackandFilter } from 'ngx-backand';
import { firstValueFrom } from 'rxjs';
import { ConsoleApi } from '../api/console-api';
import type { ObjectSummary } from '../api/console-types';
import { columnsOf, fromText, toText, type FieldColumn } from './field-columns';
import { RowEditor, type RowValues } from './row-editor';

const OPERATORS: BackandFilter['operator'][] = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'endsWith',
  'greaterThan',
  'greaterThanOrEqualsTo',
  'lessThan',
  'lessThanOrEqualsTo',
  'empty',
  'notEmpty',
];
const PAGE_SIZE = 20;
/** Every app has it, whether its definition names it or not. */
const USERS: ObjectSummary = {
  name: 'users',
  fields: { email: 'string', firstName: 'string', lastName: 'string', role: 'string' },
  realtime: false,
  ownerField: null,
  permissions: {},
  actions: [],
};

/**
 * Rows of any object: browse, filter, sort, create, edit, delete, through the app's own REST
 * paths (`BackandService.object`), so the app's permissions and actions apply as for any client.
 */
@Component({
  selector: 'console-data',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, RowEditor],
  template: `
    <section class="card toolbar">
      <label
        >Object
        <select
          name="object"
          aria-label="Object"
          [ngModel]="objectName()"
          (ngModelChange)="choose($event)"
        >
          @for (object of objects(); track object.name) {
            <option [value]="object.name">{{ object.name }}</option>
          }
        </select>
      </label>
      <label
        >Filter
        <select name="filterField" aria-label="Filter field" [(ngModel)]="filterField">
          <option value="">(none)</option>
          @for (column of columns(); track column.name) {
            <option [value]="column.name">{{ column.name }}</option>
          }
        </select>
      </label>
      <select name="operator" aria-label="Operator" [(ngModel)]="operator">
        @for (op of operators; track op) {
          <option [value]="op">{{ op }}</option>
        }
      </select>
      <input name="filterValue" aria-label="Filter value" [(ngModel)]="filterValue" />
      <label
        >Sort
        <select name="sortField" aria-label="Sort field" [(ngModel)]="sortField">
          <option value="id">id</option>
          @for (column of columns(); track column.name) {
            <option [value]="column.name">{{ column.name }}</option>
          }
        </select>
      </label>
      <select name="order" aria-label="Order" [(ngModel)]="order">
        <option value="asc">ascending</option>
        <option value="desc">descending</option>
      </select>
      <button (click)="apply()">Apply</button>
      <button class="primary" (click)="editing.set('new')">New row</button>
    </section>
    @if (editing(); as edited) {
      <console-row-editor
        [columns]="columns()"
        [row]="edited === 'new' ? null : edited"
        (saved)="save($event)"
        (cancelled)="editing.set(null)"
      />
    }
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <section class="card">
      <p class="muted">{{ total() }} rows · page {{ page() }}</p>
      <div class="scroll">
        <table class="rows" data-testid="rows">
          <thead>
            <tr>
              <th>id</th>
              @for (column of columns(); track column.name) {
                <th>{{ column.name }}</th>
              }
              <th></th>
            </tr>
          </thead>
          <tbody>
            @for (row of rows(); track row['id']) {
              <tr>
                <td>{{ row['id'] }}</td>
                @for (column of columns(); track column.name) {
                  <td>{{ text(row[column.name]) }}</td>
                }
                <td class="actions">
                  <button (click)="editing.set(row)">Edit</button>
                  <button class="danger" (click)="remove(row)">Delete</button>
                </td>
              </tr>
            } @empty {
              <tr>
                <td [attr.colspan]="columns().length + 2" class="muted">No rows</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
      <button [disabled]="page() === 1" (click)="go(page() - 1)">Previous</button>
      <button [disabled]="page() * pageSize >= total()" (click)="go(page() + 1)">Next</button>
    </section>
  `,
})
export class DataPanel {
  private readonly backand = inject(BackandService);
  private readonly app = toSignal(inject(ConsoleApi).app());
  protected readonly operators = OPERATORS;
  protected readonly pageSize = PAGE_SIZE;

  protected readonly objects = computed(() => {
    const objects = this.app()?.objects ?? [];
    return objects.some((o) => o.name === 'users') ? objects : [...objects, USERS];
  });
  protected readonly objectName = signal('');
  protected readonly columns = computed<FieldColumn[]>(() => {
    const object = this.objects().find((o) => o.name === this.objectName());
    return object ? columnsOf(object) : [];
  });
  protected readonly rows = signal<Record<string, unknown>[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly editing = signal<Record<string, unknown> | 'new' | null>(null);
  protected readonly error = signal<string | null>(null);
  protected filterField = '';
  protected operator: BackandFilter['operator'] = 'equals';
  protected filterValue = '';
  protected sortField = 'id';
  protected order: 'asc' | 'desc' = 'asc';

  constructor() {
    effect(() => {
      const first = this.objects()[0];
      if (first && !this.objectName()) this.choose(first.name);
    });
  }

  protected choose(name: string): void {
    this.objectName.set(name);
    this.filterField = '';
    this.filterValue = '';
    this.sortField = 'id';
    this.editing.set(null);
    this.go(1);
  }

  protected apply(): void {
    this.go(1);
  }

  protected async go(page: number): Promise<void> {
    this.page.set(page);
    try {
      const list = await firstValueFrom(
        this.backand.object.getList(this.objectName(), {
          pageSize: PAGE_SIZE,
          pageNumber: page,
          sort: [{ fieldName: this.sortField, order: this.order }],
          ...(this.filterField ? { filter: [this.filter()] } : {}),
        }),
      );
      this.rows.set(list.data);
      this.total.set(list.totalRows);
      this.error.set(null);
    } catch (err) {
      this.fail(err);
    }
  }

  protected async save(values: RowValues): Promise<void> {
    const edited = this.editing();
    const name = this.objectName();
    try {
      await firstValueFrom(
        edited === 'new' || edited === null
          ? this.backand.object.create(name, values)
          : this.backand.object.update(name, String(edited['id']), values),
      );
      this.editing.set(null);
      await this.go(this.page());
    } catch (err) {
      this.fail(err);
    }
  }

  protected async remove(row: Record<string, unknown>): Promise<void> {
    if (!confirm(`Delete row ${String(row['id'])} of ${this.objectName()}?`)) return;
    try {
      await firstValueFrom(this.backand.object.remove(this.objectName(), String(row['id'])));
      await this.go(this.page());
    } catch (err) {
      this.fail(err);
    }
  }

  protected text(value: unknown): string {
    return toText(value);
  }

  private filter(): BackandFilter {
    const column = this.columns().find((c) => c.name === this.filterField);
    const noValue = this.operator === 'empty' || this.operator === 'notEmpty';
    const textual = ['contains', 'notContains', 'startsWith', 'endsWith'].includes(this.operator);
    const value =
      noValue || !column || textual ? this.filterValue : fromText(column, this.filterValue);
    return { fieldName: this.filterField, operator: this.operator, value };
  }

  private fail(err: unknown): void {
    const error = err as Partial<BackandError>;
    this.error.set(error.status ? `${error.status}: ${error.message}` : String(err));
  }
}
