import { PlatformLocation } from '@angular/common';
import { inject } from '@angular/core';
import type { BackandConfig } from 'ngx-backand';

/** A row of `items` in backand-server's built-in demo app. */
export interface Item {
  id: number;
  name: string;
}

/** What the demo's `broadcast` action emits to everyone. */
export interface Broadcast {
  message: string;
  from: string;
}

/**
 * The SDK's configuration for backand-server's built-in demo app, for `provideBackand()` and
 * `BackandModule.forRoot()`. The API's URL comes from the page's `?api=` (the version matrix
 * starts the server on a free port), in the browser and during server rendering alike.
 */
export function demoBackand(): BackandConfig {
  const api = new URLSearchParams(inject(PlatformLocation).search).get('api');
  return {
    appName: 'demo',
    anonymousToken: 'demo-anonymous-token',
    apiUrl: api ?? 'http://localhost:4000',
    runSocket: true,
  };
}
