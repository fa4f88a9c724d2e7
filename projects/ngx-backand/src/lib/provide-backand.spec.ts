import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import {
  ApplicationInitStatus,
  DOCUMENT,
  PLATFORM_ID,
  EnvironmentInjector,
  Injectable,
  createEnvironmentInjector,
  inject,
} from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BACKAND_CONFIG } from './backand-config';
import { BackandModule } from './backand.module';
import { BackandService } from './backand.service';
import { provideBackand } from './provide-backand';

@Injectable({ providedIn: 'root' })
class RuntimeSettings {
  readonly app = 'from-settings';
}

function setup(providers: unknown[]): void {
  TestBed.configureTestingModule({
    providers: [provideHttpClient(), provideHttpClientTesting(), ...(providers as never[])],
  });
}

describe('provideBackand', () => {
  it('provides the resolved configuration and the services', () => {
    setup([provideBackand({ appName: 'demo', apiUrl: 'http://api.test/' })]);
    expect(TestBed.inject(BACKAND_CONFIG).apiUrl).toBe('http://api.test');
    expect(TestBed.inject(BackandService).user()).toBeNull();
  });

  it('runs a factory config in the injection context', () => {
    setup([provideBackand(() => ({ appName: inject(RuntimeSettings).app }))]);
    expect(TestBed.inject(BACKAND_CONFIG).appName).toBe('from-settings');
  });

  it('fails at start-up, naming the option, when appName is missing', () => {
    setup([provideBackand({} as never)]);
    expect(() => TestBed.inject(ApplicationInitStatus)).toThrow(/`appName`/);
  });

  it('fails at start-up when apiUrl is malformed', () => {
    setup([provideBackand({ appName: 'demo', apiUrl: 'localhost:4000' })]);
    expect(() => TestBed.inject(ApplicationInitStatus)).toThrow(/`apiUrl`/);
  });

  it('refuses to be provided twice in one injector', () => {
    setup([provideBackand({ appName: 'a' }), provideBackand({ appName: 'b' })]);
    expect(() => TestBed.inject(ApplicationInitStatus)).toThrow(/more than once/);
  });

  it('refuses to be provided again in a child injector', () => {
    setup([provideBackand({ appName: 'a' })]);
    const root = TestBed.inject(EnvironmentInjector);
    expect(() => createEnvironmentInjector([provideBackand({ appName: 'b' })], root)).toThrow(
      /more than once/,
    );
  });
});

describe('without provideBackand()', () => {
  it.each([
    ['BACKAND_CONFIG', BACKAND_CONFIG],
    ['BackandService', BackandService],
  ])(
    'injecting %s says to call provideBackand() / BackandModule.forRoot() (not NG0201)',
    (_, token) => {
      TestBed.configureTestingModule({
        providers: [provideHttpClient(), provideHttpClientTesting()],
      });
      expect(() => TestBed.inject(token as never)).toThrow(
        /no configuration \(BACKAND_CONFIG\)\. Call provideBackand\(.*BackandModule\.forRoot\(/,
      );
    },
  );
});

describe('relative apiUrl', () => {
  it('is resolved against the document base URL in the browser', () => {
    setup([provideBackand({ appName: 'demo', apiUrl: '/api' })]);
    const base = TestBed.inject(DOCUMENT).baseURI;
    expect(TestBed.inject(BACKAND_CONFIG).apiUrl).toBe(new URL('/api', base).href);
  });

  it('is resolved against serverOrigin on the server platform', () => {
    setup([
      { provide: PLATFORM_ID, useValue: 'server' },
      provideBackand({ appName: 'demo', apiUrl: '/api', serverOrigin: 'http://10.0.0.5:4000' }),
    ]);
    expect(TestBed.inject(BACKAND_CONFIG).apiUrl).toBe('http://10.0.0.5:4000/api');
  });

  it('fails at start-up on the server platform without serverOrigin', () => {
    setup([
      { provide: PLATFORM_ID, useValue: 'server' },
      provideBackand({ appName: 'demo', apiUrl: '' }),
    ]);
    expect(() => TestBed.inject(ApplicationInitStatus)).toThrow(/set `serverOrigin`/);
  });
});

describe('BackandModule.forRoot', () => {
  it('gives the same providers as provideBackand', () => {
    TestBed.configureTestingModule({
      imports: [BackandModule.forRoot({ appName: 'mod', runSocket: true })],
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    expect(TestBed.inject(BACKAND_CONFIG)).toMatchObject({ appName: 'mod', runSocket: true });
    expect(TestBed.inject(BackandService)).toBeInstanceOf(BackandService);
  });

  it('has the guard too', () => {
    TestBed.configureTestingModule({
      imports: [BackandModule.forRoot({ appName: 'a' })],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideBackand({ appName: 'b' }),
      ],
    });
    expect(() => TestBed.inject(ApplicationInitStatus)).toThrow(/more than once/);
  });

  it('fails at start-up on a bad config', () => {
    TestBed.configureTestingModule({ imports: [BackandModule.forRoot({ appName: '' })] });
    expect(() => TestBed.inject(ApplicationInitStatus)).toThrow(/`appName`/);
  });
});
