import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ConsoleApi } from '../api/console-api';
import type { FieldSpec, PermissionSpec } from '../api/console-types';

/** The app definition: objects (fields, permissions, actions), queries and functions. */
@Component({
  selector: 'console-definition',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (app(); as app) {
      <section class="card">
        <h2>
          App <code>{{ app.appName }}</code>
        </h2>
        <p class="muted">
          Guests: role {{ app.anonymousRole }} ({{
            app.hasAnonymousToken ? 'anonymous token set' : 'no anonymous token'
          }}) · sign-ups: role {{ app.signUpRole }} ({{
            app.hasSignUpToken ? 'sign-up token set' : 'no sign-up token'
          }}) · master key {{ app.hasMasterToken ? 'set' : 'not set' }} · tokens live
          {{ app.tokenTtlSeconds }} s
        </p>
      </section>
      @for (object of app.objects; track object.name) {
        <section class="card" [attr.data-object]="object.name">
          <h3>
            {{ object.name }}
            @if (object.realtime) {
              <span class="tag">realtime</span>
            }
            @if (object.ownerField) {
              <span class="tag">owner: {{ object.ownerField }}</span>
            }
          </h3>
          <div class="columns">
            <table>
              <caption>
                Fields
              </caption>
              @for (field of entries(object.fields); track field[0]) {
                <tr>
                  <th>{{ field[0] }}</th>
                  <td>{{ fieldText(field[1]) }}</td>
                </tr>
              }
            </table>
            <table>
              <caption>
                Permissions
              </caption>
              @for (permission of entries(object.permissions); track permission[0]) {
                <tr>
                  <th>{{ permission[0] }}</th>
                  <td>{{ permissionText(permission[1]) }}</td>
                </tr>
              } @empty {
                <tr>
                  <td class="muted">Admins only</td>
                </tr>
              }
            </table>
          </div>
          @for (action of object.actions; track action.name) {
            <details class="action">
              <summary>
                action <b>{{ action.name }}</b> · {{ action.trigger }}
                @if (action.type !== 'code') {
                  · {{ action.type }}
                }
                @if (action.roles) {
                  · roles {{ action.roles.join(', ') }}
                }
              </summary>
              @if (action.code) {
                <pre>{{ action.code }}</pre>
              }
              @if (action.file) {
                <p class="muted">code in {{ action.file }}</p>
              }
            </details>
          }
        </section>
      }
      @if (app.queries.length) {
        <section class="card">
          <h3>Queries</h3>
          @for (query of app.queries; track query.name) {
            <p>
              <b>{{ query.name }}</b> · roles {{ query.roles?.join(', ') ?? 'Admin' }}
            </p>
            <pre>{{ query.sql }}</pre>
          }
        </section>
      }
      @if (app.functions.length) {
        <section class="card">
          <h3>Functions</h3>
          @for (fn of app.functions; track fn.name) {
            <details class="action">
              <summary>
                <b>{{ fn.name }}</b> · roles {{ fn.roles?.join(', ') ?? 'all' }}
              </summary>
              @if (fn.code) {
                <pre>{{ fn.code }}</pre>
              }
              @if (fn.file) {
                <p class="muted">code in {{ fn.file }}</p>
              }
            </details>
          }
        </section>
      }
    } @else {
      <p class="muted">Loading the app definition…</p>
    }
  `,
})
export class DefinitionPanel {
  protected readonly app = toSignal(inject(ConsoleApi).app());

  protected entries<T>(record: Record<string, T>): [string, T][] {
    return Object.entries(record);
  }

  protected fieldText(spec: FieldSpec): string {
    if (typeof spec === 'string') return spec;
    const { type, ...rest } = spec;
    const options = Object.entries(rest).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
    return [type ?? '', ...options].filter(Boolean).join(' · ');
  }

  protected permissionText(spec: PermissionSpec): string {
    if (typeof spec === 'string') return spec;
    return Object.entries(spec)
      .map(([operation, access]) => `${operation} ${access}`)
      .join(' · ');
  }
}
