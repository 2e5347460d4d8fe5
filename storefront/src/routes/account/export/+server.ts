import { error, redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { ApiError } from '$lib/api';
import { edge } from '$lib/server/edge';

/** "Export my data" (#15): the edge's JSON, as a file to download. */
export const GET: RequestHandler = async (event) => {
  if (!event.locals.account) redirect(303, '/signin?next=/account');
  try {
    const data = await edge(event).exportAccount();
    return new Response(JSON.stringify(data, null, 2), {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="tickr-account-${event.locals.account.id}.json"`,
        'cache-control': 'no-store',
      },
    });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status === 401) redirect(303, '/signin?next=/account&ended=1');
    error(e.status === 0 ? 503 : e.status, e.message);
  }
};
