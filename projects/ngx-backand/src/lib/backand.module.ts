import { type ModuleWithProviders, NgModule } from '@angular/core';
import type { BackandConfig } from './backand-config';
import { _backandProviders } from './provide-backand';

/**
 * Backand for NgModule apps: `BackandModule.forRoot(config)` gives the providers of
 * `provideBackand(config)`.
 *
 * @example
 * @NgModule({
 *   imports: [BrowserModule, BackandModule.forRoot({ appName: 'demo', runSocket: true })],
 *   providers: [provideHttpClient()],
 *   bootstrap: [AppComponent],
 * })
 * export class AppModule {}
 */
@NgModule()
export class BackandModule {
  /**
   * The module with its providers; import it once, in the root module.
   *
   * @example
   * imports: [BackandModule.forRoot({ appName: 'demo' })]
   */
  static forRoot(
    config: BackandConfig | (() => BackandConfig),
  ): ModuleWithProviders<BackandModule> {
    return {
      ngModule: BackandModule,
      providers: _backandProviders(config),
    };
  }
}
