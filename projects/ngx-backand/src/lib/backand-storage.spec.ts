import { MemoryBackandStorage, createBackandStorage } from './backand-storage';

describe('createBackandStorage', () => {
  beforeEach(() => {
    localStorage.clear();
    sessionStorage.clear();
  });

  it('uses localStorage by default in a browser and memory on the server', () => {
    const browser = createBackandStorage(null, 'browser');
    browser.setItem('k', 'v');
    expect(localStorage.getItem('k')).toBe('v');
    const server = createBackandStorage(null, 'server');
    expect(server).toBeInstanceOf(MemoryBackandStorage);
    expect(server.getItem('k')).toBeNull();
  });

  it('honours session, memory and custom stores', () => {
    createBackandStorage('session', 'browser').setItem('s', '1');
    expect(sessionStorage.getItem('s')).toBe('1');
    const memory = createBackandStorage('memory', 'browser');
    memory.setItem('m', '1');
    expect(localStorage.getItem('m')).toBeNull();
    expect(memory.getItem('m')).toBe('1');
    const custom = new MemoryBackandStorage();
    expect(createBackandStorage(custom, 'browser')).toBe(custom);
  });

  it('never uses Web Storage on the server, even when asked', () => {
    createBackandStorage('local', 'server').setItem('x', '1');
    expect(localStorage.getItem('x')).toBeNull();
  });
});

describe('MemoryBackandStorage', () => {
  it('stores, reads and removes', () => {
    const store = new MemoryBackandStorage();
    store.setItem('a', '1');
    expect(store.getItem('a')).toBe('1');
    store.removeItem('a');
    expect(store.getItem('a')).toBeNull();
  });
});
