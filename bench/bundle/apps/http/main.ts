// (a) + HttpClient with one GET: isolates Angular's own HTTP cost from the SDK's.
import { HttpClient, provideHttpClient, withFetch } from '@angular/common/http';
import { Component, inject, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';

@Component({
  selector: 'bench-root',
  template: `<h1>{{ title() }}</h1>`,
})
class App {
  readonly title = signal('http');
  private readonly http = inject(HttpClient);

  constructor() {
    this.http
      .get<{ totalRows: number }>('http://localhost:4000/1/objects/items')
      .subscribe((r) => this.title.set(`rows: ${r.totalRows}`));
  }
}

bootstrapApplication(App, { providers: [provideHttpClient(withFetch())] }).catch((err: unknown) =>
  console.error(err),
);
