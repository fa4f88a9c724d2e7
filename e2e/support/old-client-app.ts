/**
 * The app the old-client suite runs against: what a Backand app of its time had (an owned,
 * realtime object, on-demand actions that return and emit, a file action, a named query, a
 * function, extra user fields filled by sign-up parameters).
 */
export const OLD_APP = {
  appName: 'oldapp',
  anonymousToken: 'old-anonymous-token',
  signUpToken: 'old-signup-token',
  masterToken: 'old-master-token',
  userToken: 'old-user-token',
  anonymousRole: 'Public',
  secret: 'old-client-suite-secret-0123456789',
  users: [
    {
      username: 'ada@old.test',
      password: 'ada-password',
      role: 'Admin',
      firstName: 'Ada',
      lastName: 'Lovelace',
    },
    {
      username: 'ann@old.test',
      password: 'ann-password',
      role: 'User',
      firstName: 'Ann',
      lastName: 'Lee',
    },
  ],
  objects: {
    users: { fields: { nickname: 'string', city: 'string' } },
    items: {
      fields: {
        name: { type: 'string', required: true },
        description: 'text',
        owner: 'string',
        qty: 'int',
      },
      realtime: true,
      ownerField: 'owner',
      permissions: {
        Admin: 'crud',
        User: { create: 'all', read: 'all', update: 'own', delete: 'own' },
        Public: { read: 'all' },
      },
      actions: [
        {
          name: 'echo',
          trigger: 'onDemand',
          code: 'function backandCallback(userInput, dbRow, parameters, userProfile) { return { userInput: userInput, parameters: parameters, username: userProfile.username, role: userProfile.role }; }',
        },
        {
          name: 'shout',
          trigger: 'onDemand',
          code: "function backandCallback(userInput, dbRow, parameters, userProfile) { socket.emitAll('shout', { message: parameters.message, from: userProfile.username || 'guest' }); return { sent: true }; }",
        },
        {
          name: 'whisper',
          trigger: 'onDemand',
          roles: ['Admin'],
          code: "function backandCallback(userInput, dbRow, parameters, userProfile) { socket.emitUsers('whisper', { message: parameters.message }, parameters.users); return {}; }",
        },
        { name: 'files', trigger: 'onDemand', type: 'files' },
      ],
    },
  },
  queries: {
    itemsNamed: {
      sql: 'SELECT id, name FROM items WHERE name LIKE :pattern ORDER BY id',
      roles: ['Admin', 'User', 'Public'],
    },
  },
  functions: [
    {
      name: 'hello',
      code: "function backandCallback(userInput, dbRow, parameters, userProfile) { return { hello: userProfile.username || 'Guest', userInput: userInput, parameters: parameters }; }",
    },
  ],
};
