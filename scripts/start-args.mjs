// `npm start`'s own arguments: the port is `--port N` / `--port=N`, else $PORT, else 8787, and it
// goes to wrangler once (wrangler refuses a repeated --port); everything else passes through.
export function startArgs(argv, env) {
  let port = env.PORT || "8787";
  const passThrough = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port" && i + 1 < argv.length) port = argv[++i];
    else if (argv[i].startsWith("--port=")) port = argv[i].slice("--port=".length);
    else passThrough.push(argv[i]);
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new Error(`--port must be a number from 1 to 65535, not ${JSON.stringify(port)}`);
  }
  return { port, passThrough };
}
