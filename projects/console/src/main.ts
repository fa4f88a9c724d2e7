import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { consoleConfig } from './app/app.config';

// The app name comes from the server that serves the console (the only public console route).
fetch(`${window.location.origin}/api/console/meta`)
  .then((response) => {
    if (!response.ok) throw new Error(`console meta: HTTP ${response.status}`);
    return response.json() as Promise<{ appName: string }>;
  })
  .then(({ appName }) => bootstrapApplication(App, consoleConfig(appName, window.location.origin)))
  .catch((err: unknown) => {
    document.body.textContent = `The console could not start: ${String(err)}`;
  });
