import { createSessionRouteHandlers } from '@sessionkit/next-auth';
import { auth } from '@/auth';
import { manager } from '@/lib/sessions';

export const { GET, DELETE, PATCH } = createSessionRouteHandlers({
  manager,
  getSession: () => auth(),
});
