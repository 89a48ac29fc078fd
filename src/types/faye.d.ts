/** faye ships no types; the project uses NodeAdapter (src/peers/faye-host.ts) and Client (src/peers/faye-client.ts) through local interfaces. */
declare module "faye" {
  const faye: unknown;
  export default faye;
}
