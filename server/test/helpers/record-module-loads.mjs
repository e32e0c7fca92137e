// `node --import` this file to append every resolved module URL containing ICMP_MODULE_LOG_MATCH to
// the file ICMP_MODULE_LOG (a test checks which packages a server process loaded).
import { register } from 'node:module';

register('./record-module-loads-hooks.mjs', import.meta.url, {
  data: { file: process.env.ICMP_MODULE_LOG, match: process.env.ICMP_MODULE_LOG_MATCH },
});
