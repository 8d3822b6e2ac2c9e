// The console's JSON, fetched with the session cookie. A 401 means the session ended: back to
// the sign-in form.

export class ApiError extends Error {}

export async function api(path) {
  const response = await fetch(`/console/api${path}`, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  if (response.status === 401) {
    window.location.assign('/console');
    throw new ApiError('Signed out: sign in again.');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(body.error ?? `The hub answered ${response.status}.`);
  return body;
}
