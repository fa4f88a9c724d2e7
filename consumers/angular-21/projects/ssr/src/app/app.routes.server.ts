import { RenderMode, type ServerRoute } from '@angular/ssr';

// Rendered for each request (not prerendered at build time): the list comes from the live API.
export const serverRoutes: ServerRoute[] = [{ path: '**', renderMode: RenderMode.Server }];
