/**
 * `npm run admin:create -- --email ana@example.com --name "Ana Silva" [--url http://localhost:3000]`
 *
 * Makes a platform admin account through the running server's `POST /api/auth/accounts`, authorised
 * with the master key (ICMP_API_KEY, else asked for). The password is asked for without echo, or read
 * from the first line of standard input when it is piped. Nothing secret is printed.
 */
import { createInterface } from 'node:readline';
import { ConfigError, loadConfig } from './config.js';
function argument(name) {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? process.argv[index + 1] : undefined;
}
async function ask(question, hidden) {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
    if (hidden && process.stdin.isTTY) {
        // Print the question, then echo nothing of what is typed.
        const writable = rl;
        let asked = false;
        writable._writeToOutput = (text) => {
            if (!asked) {
                asked = true;
                process.stdout.write(text);
            }
        };
    }
    const answer = await new Promise((resolve) => rl.question(question, resolve));
    rl.close();
    if (hidden && process.stdin.isTTY)
        process.stdout.write('\n');
    return answer.trim();
}
async function main() {
    let config;
    try {
        config = loadConfig();
    }
    catch (error) {
        if (error instanceof ConfigError) {
            console.error(`Configuration error: ${error.message}`);
            process.exit(78);
        }
        throw error;
    }
    const email = argument('email') ?? (await ask('E-mail: ', false));
    const name = argument('name') ?? (await ask('Name: ', false));
    const url = (argument('url') ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`).replace(/\/+$/, '');
    const masterKey = config.masterKey ?? (await ask('Master key (ICMP_API_KEY): ', true));
    const password = await ask('Password (10+ characters): ', true);
    let response;
    try {
        response = await fetch(`${url}/api/auth/accounts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ email, name, password, is_admin: true }),
        });
    }
    catch {
        console.error(`Could not reach ICMP at ${url}: start it first (npm start), or pass --url.`);
        process.exit(1);
    }
    const body = (await response.json().catch(() => ({})));
    if (response.status !== 201) {
        const fields = Object.entries(body.error?.details?.field_errors ?? {})
            .map(([field, problem]) => `${field} ${problem}`)
            .join('; ');
        console.error(`Not created (${response.status}): ${body.error?.message ?? 'unknown error'}${fields ? ` — ${fields}` : ''}`);
        process.exit(1);
    }
    console.log(`Admin account ${email} created (id ${body.id}). Sign in at ${url}/ with it.`);
}
await main();
//# sourceMappingURL=create-admin-cli.js.map