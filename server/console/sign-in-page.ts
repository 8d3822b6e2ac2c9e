import type { Response } from 'express';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The console's sign-in form: the admin token, posted once, exchanged for a session cookie. */
export function signInPage(res: Response, status: number, problem: string | undefined): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
        `<meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>Sign in · townhall console</title>` +
        `<link rel="stylesheet" href="/console/assets/console.css"></head>` +
        `<body class="sign-in"><main id="main"><h1>townhall console</h1>` +
        `<p>Sign in with the hub's admin token (<code>TOWNHALL_ADMIN_TOKEN</code>). ` +
        `The session lasts 12 hours; the token is not kept in the browser.</p>` +
        (problem ? `<p class="problem" role="alert">${escape(problem)}</p>` : '') +
        `<form method="post" action="/console/session">` +
        `<label for="token">Admin token</label>` +
        `<input id="token" type="password" name="token" autocomplete="current-password" required>` +
        `<button type="submit">Sign in</button></form></main></body></html>`,
    );
}
