import { Component, VERSION, inject } from '@angular/core';
import { BackandService, BackandSocketService } from 'ngx-backand';
import type { Broadcast, Item } from '../../../shared/demo-backand';

/**
 * NgModule and zone.js: plain fields, no signals, so the page only shows the REST answer and
 * the event if they arrive inside the Angular zone.
 */
@Component({
  selector: 'app-root',
  // The NgModule shape on purpose: apps that still declare their components in a module.
  // eslint-disable-next-line @angular-eslint/prefer-standalone
  standalone: false,
  template: `
    <h1>NgModule, zone.js, Angular {{ version }}</h1>
    <p>
      Socket: <output id="socket">{{ socket.state() }}</output>
    </p>
    <p>
      Last broadcast: <output id="broadcast">{{ lastBroadcast }}</output>
    </p>
    <ul id="items">
      @for (item of items; track item.id) {
        <li>{{ item.name }}</li>
      }
    </ul>
  `,
})
export class App {
  protected readonly version = VERSION.full;
  protected readonly socket = inject(BackandSocketService);
  private readonly backand = inject(BackandService);
  protected items: Item[] = [];
  protected lastBroadcast = '';

  constructor() {
    this.backand.object
      .getList<Item>('items', { sort: [{ fieldName: 'id', order: 'asc' }] })
      .subscribe(({ data }) => (this.items = data));
    // Backand.on style: ends with the component.
    this.backand.on<Broadcast>('broadcast', (event) => (this.lastBroadcast = event.message));
  }
}
