import { createSessionRouteHandlers } from '@sessionkit/next-auth';
import { getSession } from '@/lib/auth';
import { manager } from '@/lib/sessions';

export const { GET, DELETE, PATCH } = createSessionRouteHandlers({ manager, getSession });
