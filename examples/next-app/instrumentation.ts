// Runs once when the server starts: creating the session manager here prints
// which store it uses right away, not on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await import('./lib/session-manager');
  }
}
