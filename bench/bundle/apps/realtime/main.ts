// (c) = (b) + one realtime listener: `on()` in the constructor, ended with the component.
import { provideHttpClient, withFetch } from '@angular/common/http';
import { Component, inject, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { BackandService, provideBackand } from 'ngx-backand';

interface Item {
  id: number;
  name: string;
}

@Component({
  selector: 'bench-root',
  template: `<h1>{{ title() }}</h1>
    <p>{{ backand.user()?.username }} · last event: {{ last() }}</p>
    <button type="button" (click)="add()">add</button>`,
})
class App {
  readonly backand = inject(BackandService);
  readonly title = signal('realtime');
  readonly last = signal('none');

  constructor() {
    this.backand.object
      .getList<Item>('items', { pageSize: 10 })
      .subscribe((list) => this.title.set(`rows: ${list.totalRows}`));
    this.backand.on<{ id: string }>('items.created', (e) => this.last.set(e.id));
  }

  add(): void {
    this.backand.object.create('items', { name: 'new' }).subscribe();
  }
}

bootstrapApplication(App, {
  providers: [
    provideHttpClient(withFetch()),
    provideBackand({
      appName: 'demo',
      anonymousToken: 'demo-anonymous-token',
      runSocket: true,
    }),
  ],
}).catch((err: unknown) => console.error(err));
