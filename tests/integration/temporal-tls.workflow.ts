// The one workflow the TLS test runs: no activities, so a run completing proves the worker polled
// and answered through the TLS connection.
export async function greetOverTls(name: string): Promise<string> {
  return Promise.resolve(`hello, ${name}`);
}
