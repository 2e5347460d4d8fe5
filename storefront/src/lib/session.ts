/** Cookie names and who is signed in; shared by server and browser code. */

export const sessionCookie = 'tickr_session';
export const localeCookie = 'tickr_lang';

export type Role = 'participant' | 'organizer' | 'staff' | 'operator' | 'admin';
export type Account = { id: string; name: string; role: Role };
