// Who the caller is: the web app asks once after sign-in and shows only what the role may do.

import type { FastifyInstance } from 'fastify';

export async function meRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/me',
    {
      // Every role may ask who it is (admin always may).
      config: { access: ['analyst', 'dispatcher'] },
      schema: {
        summary: 'The signed-in caller: name, the role the audit log records, and every role held',
        response: {
          200: {
            type: 'object',
            required: ['name', 'role', 'roles'],
            properties: {
              name: { type: 'string' },
              role: { type: 'string' },
              roles: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async (request) => {
      // onRequest has refused anyone without a principal.
      const p = request.principal!;
      return { name: p.name, role: p.role, roles: p.roles ?? [p.role] };
    },
  );
}
