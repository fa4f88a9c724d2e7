// (a) The floor: a minimal zoneless Angular app with one standalone component.
import { Component, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';

@Component({
  selector: 'bench-root',
  template: `<h1>{{ title() }}</h1>`,
})
class App {
  readonly title = signal('minimal');
}

bootstrapApplication(App).catch((err: unknown) => console.error(err));
