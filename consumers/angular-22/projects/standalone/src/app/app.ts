import { Component, VERSION, inject } from '@angular/core';
import { BackandSocketService, injectBackandEvent, injectBackandList } from 'ngx-backand';
import type { Broadcast, Item } from '../../../shared/demo-backand';

/** Standalone and zoneless: signals from the SDK schedule change detection. */
@Component({
  selector: 'app-root',
  template: `
    <h1>standalone, zoneless, Angular {{ version }}</h1>
    <p>
      Socket: <output id="socket">{{ socket.state() }}</output>
    </p>
    <p>
      Last broadcast: <output id="broadcast">{{ broadcast()?.message }}</output>
    </p>
    <ul id="items">
      @for (item of items(); track item.id) {
        <li>{{ item.name }}</li>
      }
    </ul>
  `,
})
export class App {
  protected readonly version = VERSION.full;
  protected readonly socket = inject(BackandSocketService);
  // Loaded through REST, then patched from items.created / items.updated / items.deleted.
  protected readonly items = injectBackandList<Item>('items', {
    sort: [{ fieldName: 'id', order: 'asc' }],
  });
  protected readonly broadcast = injectBackandEvent<Broadcast>('broadcast');
}
