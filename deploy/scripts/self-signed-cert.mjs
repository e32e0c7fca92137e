// A throw-away TLS certificate for the deployment checks' nginx: `privkey.pem` and `fullchain.pem`
// in `dir`, the names deploy/nginx/icmp.conf expects under /etc/nginx/certs/.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function writeSelfSignedCert(dir) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      path.join(dir, 'privkey.pem'),
      '-out',
      path.join(dir, 'fullchain.pem'),
    ],
    { stdio: 'ignore' },
  );
}
