import type { HandleClientError } from '@sveltejs/kit';

/** A crash in the browser shows the error page with a sentence, not a stack trace. */
export const handleError: HandleClientError = () => ({ message: '' });
