import { provideHttpClient } from '@angular/common/http';
import {
  NgModule,
  provideBrowserGlobalErrorListeners,
  provideZoneChangeDetection,
} from '@angular/core';
import { BrowserModule } from '@angular/platform-browser';
import { BackandModule } from 'ngx-backand';
import { demoBackand } from '../../../shared/demo-backand';
import { App } from './app';

@NgModule({
  declarations: [App],
  imports: [BrowserModule, BackandModule.forRoot(demoBackand)],
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZoneChangeDetection({ eventCoalescing: true }),
    provideHttpClient(),
  ],
  bootstrap: [App],
})
export class AppModule {}
