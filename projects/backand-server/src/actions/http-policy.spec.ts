import { HttpPolicy, isInternal } from './http-policy';

describe('HttpPolicy', () => {
  const policy = new HttpPolicy(
    ['api.example.com', '*.example.org', '127.0.0.1:4321', '[::1]:8080', 'Mixed.Case.test:8443'],
    false,
  );
  const refusal = (url: string) => policy.refusal(new URL(url));

  it.each([
    'https://api.example.com/v1',
    'http://api.example.com/',
    'https://API.EXAMPLE.COM:443/',
    'https://a.b.example.org/x',
    'http://127.0.0.1:4321/',
    'http://[::1]:8080/',
    'https://mixed.case.test:8443/',
  ])('allows %s', (url) => expect(refusal(url)).toBeUndefined());

  it.each([
    ['https://api.example.com:8443/', /not in the app's/],
    ['https://example.org/', /not in the app's/],
    ['https://evil-example.org/', /not in the app's/],
    ['https://api.example.com.evil.test/', /not in the app's/],
    ['http://127.0.0.1/', /not in the app's/],
    ['ftp://api.example.com/', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    ['https://user:pw@api.example.com/', /credentials/],
  ])('refuses %s', (url, message) => expect(refusal(url)).toMatch(message));

  it('refuses a listed name that resolves to an internal address, not a listed IP', () => {
    expect(policy.addressRefusal('api.example.com', '10.1.2.3')).toMatch(/internal address/);
    expect(policy.addressRefusal('api.example.com', '::ffff:127.0.0.1')).toMatch(/internal/);
    expect(policy.addressRefusal('api.example.com', '93.184.216.34')).toBeUndefined();
    expect(policy.addressRefusal('127.0.0.1', '127.0.0.1')).toBeUndefined();
    expect(policy.addressRefusal('[::1]', '::1')).toBeUndefined();
    const open = new HttpPolicy(['intranet.test'], true);
    expect(open.addressRefusal('intranet.test', '10.0.0.5')).toBeUndefined();
  });

  it.each([
    ['127.0.0.1', true],
    ['10.0.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:10.0.0.1', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2606:4700::1111', false],
  ])('isInternal(%s) is %s', (address, expected) => expect(isInternal(address)).toBe(expected));
});
