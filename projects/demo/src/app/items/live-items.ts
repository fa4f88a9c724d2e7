import { Injectable, computed } from '@angular/core';
import { injectBackandList } from 'ngx-backand';
import { Item } from '../models';

/**
 * The `items` list, loaded once and kept current by realtime events, shared by every panel that
 * shows it (one REST load, one set of listeners).
 */
@Injectable({ providedIn: 'root' })
export class LiveItems {
  /** Items, newest first; the SDK keeps the order as rows arrive. */
  readonly items = injectBackandList<Item>('items', {
    pageSize: 200,
    sort: [{ fieldName: 'id', order: 'desc' }],
  });
  /** How many items exist right now. */
  readonly count = computed(() => this.items().length);
  /** How many of them are done. */
  readonly doneCount = computed(() => this.items().filter((item) => !!item.done).length);
}
