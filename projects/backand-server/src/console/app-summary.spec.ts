import { appDefinitionSchema } from '../app-definition/schema';
import { summarizeApp } from './app-summary';

describe('summarizeApp', () => {
  it('keeps objects, fields, permissions, actions and queries, and no secret', () => {
    const app = appDefinitionSchema.parse({
      appName: 'shop',
      anonymousToken: 'anon-secret-1',
      signUpToken: 'signup-secret-2',
      masterToken: 'master-secret-3',
      userToken: 'user-secret-4',
      secret: 'signing-secret-5-long-enough',
      users: [{ username: 'a@b.test', password: 'seed-password-6', role: 'Admin' }],
      objects: {
        orders: {
          fields: { total: 'float' },
          permissions: { User: 'cr' },
          actions: [
            { name: 'audit', trigger: 'afterCreate', code: 'function backandCallback() {}' },
          ],
        },
      },
      queries: { big: { sql: 'SELECT 1', roles: ['Admin'] } },
    });
    const summary = summarizeApp(app);
    expect(summary.objects[0]).toMatchObject({
      name: 'orders',
      fields: { total: 'float' },
      permissions: { User: 'cr' },
      actions: [{ name: 'audit', trigger: 'afterCreate', type: 'code' }],
    });
    expect(summary.queries).toEqual([{ name: 'big', sql: 'SELECT 1', roles: ['Admin'] }]);
    expect(summary).toMatchObject({ hasAnonymousToken: true, hasMasterToken: true });
    const text = JSON.stringify(summary);
    for (const n of [1, 2, 3, 4, 5, 6])
      expect(text).not.toMatch(new RegExp(`secret-${n}|password-${n}`));
  });
});
