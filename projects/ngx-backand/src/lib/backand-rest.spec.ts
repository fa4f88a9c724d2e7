import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { BackandService } from './backand.service';
import { provideBackand } from './provide-backand';

const API = 'http://api.test';
let http: HttpTestingController;
let backand: BackandService;

beforeEach(() => {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideBackand({ appName: 'demo', apiUrl: API, anonymousToken: 'anon', storage: 'memory' }),
    ],
  });
  http = TestBed.inject(HttpTestingController);
  backand = TestBed.inject(BackandService);
});
afterEach(() => http.verify());

/** The raw query string as it goes on the wire. */
const query = (urlWithParams: string) => urlWithParams.split('?')[1] ?? '';

describe('REST calls', () => {
  it('encodes getList options as docs/PROTOCOL.md §5.3 says', async () => {
    const filter = [{ fieldName: 'name', operator: 'contains' as const, value: 'a&b, c' }];
    const sort = { fieldName: 'id', order: 'desc' as const };
    const result = firstValueFrom(
      backand.object.getList<{ id: number }>('items', {
        pageSize: 50,
        pageNumber: 2,
        filter,
        sort,
        search: 'milk',
        exclude: ['metadata', 'totalRows'],
        deep: true,
      }),
    );
    const req = http.expectOne((r) => r.url === `${API}/1/objects/items`);
    expect(req.request.method).toBe('GET');
    const params = new URLSearchParams(query(req.request.urlWithParams));
    expect(params.get('pageSize')).toBe('50');
    expect(params.get('pageNumber')).toBe('2');
    expect(JSON.parse(params.get('filter')!)).toEqual(filter);
    expect(JSON.parse(params.get('sort')!)).toEqual(sort);
    expect(params.get('search')).toBe('milk');
    expect(params.get('exclude')).toBe('metadata,totalRows');
    expect(params.get('deep')).toBe('true');
    // JSON is fully URL-encoded: no raw quotes, brackets, commas or colons on the wire.
    expect(query(req.request.urlWithParams)).not.toMatch(/["[\]{},:]/);
    req.flush({ totalRows: 1, data: [{ id: 1 }] });
    expect(await result).toEqual({ totalRows: 1, data: [{ id: 1 }] });
  });

  it('leaves out options that are not set', () => {
    backand.object.getList('items').subscribe();
    expect(http.expectOne((r) => r.url === `${API}/1/objects/items`).request.params.keys()).toEqual(
      [],
    );
  });

  it('creates, updates and removes with returnObject and parameters', () => {
    backand.object
      .create('items', { name: 'a' }, { returnObject: true, parameters: { x: 1 } })
      .subscribe();
    const create = http.expectOne((r) => r.url === `${API}/1/objects/items`);
    expect(create.request.method).toBe('POST');
    expect(create.request.body).toEqual({ name: 'a' });
    expect(create.request.params.get('returnObject')).toBe('true');
    expect(JSON.parse(create.request.params.get('parameters')!)).toEqual({ x: 1 });

    backand.object.update('items', 7, { name: 'b' }).subscribe();
    const update = http.expectOne(`${API}/1/objects/items/7`);
    expect(update.request.method).toBe('PUT');
    expect(update.request.body).toEqual({ name: 'b' });

    backand.object.remove('items', 'a/b').subscribe();
    const remove = http.expectOne(`${API}/1/objects/items/a%2Fb`);
    expect(remove.request.method).toBe('DELETE');
  });

  it('runs actions, queries, functions, files and bulk on their paths', () => {
    backand.object.action.get('items', 'stats', { since: 1 }, { id: 3 }).subscribe();
    const action = http.expectOne((r) => r.url === `${API}/1/objects/action/items/3`);
    expect(action.request.params.get('name')).toBe('stats');
    expect(JSON.parse(action.request.params.get('parameters')!)).toEqual({ since: 1 });

    backand.object.action.post('items', 'broadcast', { message: 'hi' }).subscribe();
    const post = http.expectOne((r) => r.url === `${API}/1/objects/action/items`);
    expect(post.request.method).toBe('POST');
    expect(post.request.body).toEqual({ message: 'hi' });

    backand.query.get('itemsByName', { pattern: 'a%' }).subscribe();
    const q = http.expectOne((r) => r.url === `${API}/1/query/data/itemsByName`);
    expect(JSON.parse(q.request.params.get('parameters')!)).toEqual({ pattern: 'a%' });
    backand.query.post('itemsByName', { pattern: 'b%' }).subscribe();
    expect(
      http.expectOne((r) => r.method === 'POST' && r.url === `${API}/1/query/data/itemsByName`)
        .request.body,
    ).toEqual({ parameters: { pattern: 'b%' } });

    backand.fn.post('checkout', { cart: 1 }).subscribe();
    expect(http.expectOne(`${API}/1/function/general/checkout`).request.body).toEqual({ cart: 1 });

    backand.file.upload('items', 'files', 'a.txt', 'aGk=').subscribe();
    const upload = http.expectOne((r) => r.method === 'POST' && r.params.get('name') === 'files');
    expect(upload.request.body).toEqual({ filename: 'a.txt', filedata: 'aGk=' });
    backand.file.remove('items', 'files', 'a.txt').subscribe();
    expect(
      http.expectOne((r) => r.method === 'DELETE' && r.params.get('name') === 'files').request.body,
    ).toEqual({ filename: 'a.txt' });

    backand.bulk([{ method: 'POST', url: '/1/objects/items', data: { name: 'z' } }]).subscribe();
    expect(http.expectOne(`${API}/1/bulk`).request.body).toHaveLength(1);
  });

  it('asks for a fresh file URL with GET ?name=&filename= and answers the URL', async () => {
    const url = firstValueFrom(backand.file.url('my items', 'files', 'a b&c.txt'));
    const req = http.expectOne((r) => r.url === `${API}/1/objects/action/my%20items`);
    expect(req.request.method).toBe('GET');
    expect(query(req.request.urlWithParams)).toBe('name=files&filename=a%20b%26c.txt');
    expect(req.request.headers.get('AnonymousToken')).toBe('anon');
    req.flush({ url: `${API}/files/my%20items/a%20b%26c.txt?v=x&expires=1&sig=s` });
    await expect(url).resolves.toBe(`${API}/files/my%20items/a%20b%26c.txt?v=x&expires=1&sig=s`);
  });

  it('refuses more than 1000 bulk requests without calling the server', async () => {
    const many = Array.from({ length: 1001 }, () => ({
      method: 'GET' as const,
      url: '/1/objects/items',
    }));
    await expect(firstValueFrom(backand.bulk(many))).rejects.toMatchObject({ status: 0 });
  });

  it('is cold: nothing is sent before subscribing', () => {
    backand.object.create('items', { name: 'a' });
    backand.signin('a', 'b');
    http.expectNone(() => true);
  });
});
